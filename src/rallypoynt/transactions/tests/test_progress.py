"""Progress updates: a snapshot of the deal kept with the note and, when asked, one plain-text
e-mail per client through a real SMTP server on loopback, sent once."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.models import Party, ProgressUpdate
from rallypoynt.transactions.services.checklists import checklist_item_mark, checklists_apply
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.services.issues import issue_raise
from rallypoynt.transactions.services.progress import (
    progress_recipients,
    progress_update_post,
    progress_update_send,
)
from rallypoynt.transactions.services.resolution import deadline_resolve
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db


class Inbox:
    """aiosmtpd handler that keeps every message it is handed."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on 127.0.0.1 with Django's SMTP backend pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def deal(brokerage):
    today = org_today()
    deal = deal_for(
        brokerage.ben, accepted_on=today - timedelta(days=5), closing_on=today + timedelta(days=20)
    )
    org = brokerage.org
    Party.objects.create(
        org=org, deal=deal, role="buyer", name="Alice Buyer", email="alice@example.com"
    )
    contact = ContactFactory(
        org=org, owner=brokerage.ben, emails=["bob.primary@example.com", "bob.old@example.com"]
    )
    Party.objects.create(org=org, deal=deal, role="buyer", name="Bob Buyer", contact=contact)
    shy = ContactFactory(
        org=org, owner=brokerage.ben, emails=["shy@example.com"], is_do_not_contact=True
    )
    Party.objects.create(org=org, deal=deal, role="seller", name="Shy Seller", contact=shy)
    Party.objects.create(org=org, deal=deal, role="seller", name="No Address")
    Party.objects.create(
        org=org, deal=deal, role="lender", name="Lena Lender", email="lena@bank.example"
    )
    return deal


def test_the_clients_are_the_buyer_and_seller_parties_with_an_address(deal):
    found = progress_recipients(deal)
    assert found == [
        {"name": "Alice Buyer", "email": "alice@example.com"},
        {"name": "Bob Buyer", "email": "bob.primary@example.com"},
    ]


def test_the_snapshot_counts_deadlines_checklists_and_issues(brokerage, deal):
    inspection = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="inspection")
    deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="appraisal", amount=10)
    deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="financing", amount=15)
    deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="title", amount=1)
    deadline_resolve(actor=brokerage.ben, deadline_id=inspection.pk, status="satisfied")
    items = checklists_apply(deal=deal, kinds=["due_diligence"])
    checklist_item_mark(actor=brokerage.ben, item_id=items[0].pk, status="done")
    issue_raise(actor=brokerage.ben, deal_id=deal.pk, title="Roof leak")

    row = progress_update_post(actor=brokerage.ben, deal_id=deal.pk, note="On track.")
    snap = row.snapshot
    assert snap["status"] == "offer" and snap["days_to_closing"] == 20
    assert snap["deadlines"]["open"] == 3 and snap["deadlines"]["resolved"] == 1
    assert snap["deadlines"]["overdue"] == 1  # the title review, 1 day after acceptance
    assert [d["kind"] for d in snap["deadlines"]["next"]] == ["appraisal", "financing"]
    assert snap["checklists"] == [
        {
            "kind": "due_diligence",
            "label": "Due diligence schedule",
            "total": len(items),
            "done": 1,
            "overdue": snap["checklists"][0]["overdue"],
        }
    ]
    assert snap["issues"] == {"open": 1, "titles": [{"title": "Roof leak", "due_on": None}]}
    assert row.recipients == [] and row.sent_at is None


def test_sending_emails_each_client_once_in_plain_text(
    brokerage, deal, smtp_inbox, django_capture_on_commit_callbacks
):
    brokerage.ben.user.first_name, brokerage.ben.user.last_name = "Ben", "Agent"
    brokerage.ben.user.save()
    issue_raise(actor=brokerage.ben, deal_id=deal.pk, title="Appraisal scheduling")
    with django_capture_on_commit_callbacks(execute=True):
        row = progress_update_post(
            actor=brokerage.ben,
            deal_id=deal.pk,
            note="The inspection went well; the appraisal is booked for Tuesday.",
            send=True,
        )
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        "alice@example.com",
        "bob.primary@example.com",
    ]
    message = next(m for m in smtp_inbox.messages if m["To"] == "alice@example.com")
    assert message.get_content_type() == "text/plain"
    assert message["Subject"] == f"[{brokerage.org.display_name}] Update on {deal}"
    assert message["Reply-To"] == brokerage.ben.user.email
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Hello Alice Buyer,\n\nThe inspection went well;")
    assert "(20 days to go)" in body and "Appraisal scheduling" in body
    assert "Ben Agent" in body
    row.refresh_from_db()
    assert row.sent_at is not None
    assert progress_update_send(update_id=row.pk) is False  # a second run sends nothing
    assert len(smtp_inbox.envelopes) == 2


def test_sending_with_no_client_address_is_refused_and_a_note_is_required(brokerage):
    bare = deal_for(brokerage.ben)
    with pytest.raises(ValidationFailed) as bad:
        progress_update_post(actor=brokerage.ben, deal_id=bare.pk, note="Hi", send=True)
    assert "send" in bad.value.fields
    with pytest.raises(ValidationFailed) as bad:
        progress_update_post(actor=brokerage.ben, deal_id=bare.pk, note="  ")
    assert "note" in bad.value.fields
    assert not ProgressUpdate.objects.exists()


def test_nobody_outside_the_deal_posts_an_update(brokerage, other, deal):
    for outsider in (other.broker, brokerage.maria):
        with pytest.raises(NotFound):
            progress_update_post(actor=outsider, deal_id=deal.pk, note="x", send=True)
