"""The home page counts only the contacts the viewer may see, and draws them as an SVG chart."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.contacts.choices import Stage
from rallypoynt.core.testing import count_queries
from rallypoynt.orgs.tests.brokerage import build_brokerage, contact_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs():
    """Two brokerages; ben owns 2 leads, buyer 1 client, maria 3 sphere; the other org 5."""
    mine, theirs = build_brokerage(), build_brokerage("Other Realty")
    for _ in range(2):
        contact_for(mine.ben, stage=Stage.LEAD)
    contact_for(mine.buyer, stage=Stage.CLIENT)
    for _ in range(3):
        contact_for(mine.maria, stage=Stage.SPHERE)
    contact_for(None, mine.org, stage=Stage.PROSPECT)
    for _ in range(5):
        contact_for(theirs.ben, stage=Stage.LEAD)
    return mine, theirs


def home_as(member):
    client = Client()
    client.force_login(member.user)
    response = client.get("/?home=agent")  # My day, whatever home the role opens on
    assert response.status_code == 200
    return response


def counts(response) -> dict[str, int]:
    summary = response.context["summary"]
    return {"total": summary["total"]} | {s["code"]: s["count"] for s in summary["stages"]}


def test_agent_sees_only_their_own_contacts(orgs):
    mine, _ = orgs
    response = home_as(mine.ben)
    assert counts(response) == {
        "total": 2,
        "lead": 2,
        "prospect": 0,
        "client": 0,
        "past_client": 0,
        "sphere": 0,
    }
    assert "(2 in all)" in response.content.decode()


def test_team_lead_sees_their_teams_contacts(orgs):
    mine, _ = orgs
    assert counts(home_as(mine.lead))["total"] == 1  # buyer's client
    assert counts(home_as(mine.chris))["total"] == 3  # maria's sphere


def test_broker_sees_the_whole_org_but_not_another_org(orgs):
    mine, _ = orgs
    response = home_as(mine.broker)
    assert counts(response) == {
        "total": 7,
        "lead": 2,
        "prospect": 1,
        "client": 1,
        "past_client": 0,
        "sphere": 3,
    }
    assert "(7 in all)" in response.content.decode()


def test_other_orgs_broker_sees_only_their_own_org(orgs):
    _, theirs = orgs
    assert counts(home_as(theirs.compliance))["total"] == 5


def test_home_draws_one_bar_per_stage_in_an_svg_chart(orgs):
    mine, _ = orgs
    body = home_as(mine.broker).content.decode()
    svg = re.search(r"<svg class=\"chart\"[^>]*stages-title.*?</svg>", body, re.S).group(0)
    # A group, not an img: the stage names inside are links (an img's children are not).
    assert 'role="group"' in svg and "<title" in svg
    bars = re.findall(r'<rect [^>]*class="bar bar-(\w+)"', svg)
    assert bars == list(Stage.values)
    # The largest stage gets the full 250-unit bar; the others scale to it.
    widths = dict(
        re.findall(r'width="(\d+)" class="bar bar-(\w+)"', svg)[i][::-1] for i in range(5)
    )
    assert widths["sphere"] == "250"
    assert widths["past_client"] == "0"


@pytest.mark.query_guard("web:home")
def test_home_query_count_does_not_grow_with_contacts(orgs):
    mine, _ = orgs
    client = Client()
    client.force_login(mine.manager.user)
    client.get("/")
    few = count_queries(lambda: client.get("/"))
    for _ in range(30):
        contact_for(mine.chris, stage=Stage.CLIENT)
    assert count_queries(lambda: client.get("/")) == few


def test_home_needs_a_login_and_a_seat(db):
    assert Client().get("/").status_code == 302
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/").status_code == 403
