"""Race-free intake against a real server: eight clients send the same new people at once,
each with its own Idempotency-Key. Each person becomes one contact with one journey."""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid

import pytest
from django.db import connection

from rallypoynt.accounts.services import api_token_create
from rallypoynt.contacts.models import Contact
from rallypoynt.journeys.models import Engagement
from rallypoynt.leads.choices import RoutingAction
from rallypoynt.leads.models import LeadInquiry, RoutingRule

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite runs one writer at a time"
    ),
]
CLIENTS = 8
PEOPLE = 6


def _post(url: str, token: str, body: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def test_the_same_new_people_sent_by_eight_clients_at_once_become_one_contact_each(
    live_server, brokerage
):
    RoutingRule.objects.create(
        org=brokerage.org, name="All", action=RoutingAction.ASSIGN, assignee=brokerage.ben
    )
    tokens = [api_token_create(actor=brokerage.broker, name=f"c{n}")[1] for n in range(CLIENTS)]
    url = f"{live_server.url}/api/v1/leads"
    people = [
        {
            "source": "Zillow",
            "person": {"first_name": f"Person {n}", "emails": [f"p{n}@example.com"]},
        }
        for n in range(PEOPLE)
    ]
    start = threading.Barrier(CLIENTS)
    statuses: list[int] = []
    errors: list[str] = []

    def client(token: str) -> None:
        start.wait()
        for person in people:
            try:
                statuses.append(_post(url, token, person))
            except Exception as exc:
                errors.append(repr(exc))

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(statuses) == CLIENTS * PEOPLE
    assert LeadInquiry.objects.filter(org=brokerage.org).count() == CLIENTS * PEOPLE
    assert Contact.objects.filter(org=brokerage.org, emails__address__startswith="p").count() == (
        PEOPLE
    )
    assert Engagement.objects.filter(org=brokerage.org).count() == PEOPLE
