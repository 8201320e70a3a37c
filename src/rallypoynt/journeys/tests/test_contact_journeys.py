"""A person's journeys on their contact page (the Engagements panel), opening one by the
client's name (never an id), and a completed buyer or seller profile filing the needs
assessment on the journeys of its side."""

from __future__ import annotations

import pytest

from rallypoynt.contacts.services.relations import collaborator_add
from rallypoynt.contacts.tests.factories import (
    BUYER_ESSENTIALS,
    SELLER_ESSENTIALS,
    ContactFactory,
    profile_for,
)
from rallypoynt.core.models import Event
from rallypoynt.core.testing import client_for, page
from rallypoynt.journeys.choices import Level
from rallypoynt.journeys.domain import blueprint_load, shipped_data
from rallypoynt.journeys.models import DeliverableRecord, Engagement
from rallypoynt.journeys.selectors import contact_engagements, version_blueprint
from rallypoynt.journeys.services import engagement_close
from rallypoynt.journeys.services.engagements import engagement_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def nora(brokerage):
    return ContactFactory(
        org=brokerage.org, owner=brokerage.ben, first_name="Nora", last_name="Lind"
    )


def journey(member, contact, side: str = "buy", **values) -> Engagement:
    return engagement_open(
        actor=member, contact_ids=[contact.pk], side=side, level="team", **values
    )


# The Engagements panel -------------------------------------------------------------------------


def test_the_contact_page_lists_the_persons_journeys_in_agents_words(brokerage, nora):
    buying = journey(brokerage.ben, nora, title="Lind — Highlands search")
    engagement_close(
        actor=brokerage.ben,
        engagement_id=journey(brokerage.ben, nora, "sell").pk,
        status="lost",
        reason="Moved away",
    )
    html = page(client_for(brokerage.ben).get(f"/contacts/{nora.pk}/"))
    assert 'id="engagements"' in html and "Lind — Highlands search" in html
    stage = version_blueprint(buying.pipeline).stage(buying.stage_key).name
    assert "Discovery &amp; Engagement" in html and f"stage: {stage}" in html
    assert "Buyer" in html and "Seller" in html and "Active" in html and "Lost" in html
    ben = brokerage.ben.user
    assert f"agent: {ben.get_full_name() or ben.email}" in html
    assert f'href="/pipeline/engagements/{buying.pk}/"' in html


def test_a_journey_the_viewer_may_not_see_is_not_listed(brokerage, nora):
    collaborator_add(actor=brokerage.ben, contact_id=nora.pk, membership_id=brokerage.maria.pk)
    bens = journey(brokerage.ben, nora, "buy")
    marias = journey(brokerage.maria, nora, "sell")
    seen = {
        who: {e.id for e in contact_engagements(actor=member, contact_id=nora.pk)}
        for who, member in (
            ("ben", brokerage.ben),
            ("maria", brokerage.maria),
            ("broker", brokerage.broker),
        )
    }
    assert seen == {"ben": {bens.pk}, "maria": {marias.pk}, "broker": {bens.pk, marias.pk}}
    html = page(client_for(brokerage.ben).get(f"/contacts/{nora.pk}/"))
    assert f'data-engagement="{bens.pk}"' in html and f'data-engagement="{marias.pk}"' not in html


def test_the_panel_starts_a_journey_for_the_person_without_asking_who(brokerage, nora):
    client = client_for(brokerage.ben)
    html = page(client.get(f"/contacts/{nora.pk}/"))
    assert "No journey yet." in html and "Start a seller journey" in html
    response = client.post(
        "/pipeline/engagements/new/", {"contact_id": nora.pk, "side": "sell", "title": ""}
    )
    engagement = Engagement.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/pipeline/engagements/{engagement.pk}/"
    )
    assert engagement.side == "sell" and list(engagement.contacts.all()) == [nora]


# Opening a journey by the client's name ----------------------------------------------------------


def test_the_new_engagement_page_finds_the_client_by_name_among_visible_contacts(brokerage, nora):
    ContactFactory(org=brokerage.org, owner=brokerage.maria, first_name="Nora", last_name="Hidden")
    client = client_for(brokerage.ben)
    blank = page(client.get("/pipeline/engagements/new/"))
    assert "contact id" not in blank.lower() and 'name="q"' in blank
    found = page(client.get("/pipeline/engagements/new/", {"q": "nora"}))
    assert f'name="contact_id" value="{nora.pk}"' in found and "Nora Lind" in found
    assert "Hidden" not in found
    nobody = page(client.get("/pipeline/engagements/new/", {"q": "zzz"}))
    assert "No contact you can see matches" in nobody


def test_the_search_over_htmx_answers_only_the_client_list(brokerage, nora):
    response = client_for(brokerage.ben).get(
        "/pipeline/engagements/new/",
        {"q": "lind"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="client-pick",
    )
    body = page(response)
    assert body.lstrip().startswith('<fieldset id="client-pick"') and "<html" not in body
    assert f'value="{nora.pk}"' in body


def test_a_link_naming_the_contact_preselects_them(brokerage, nora):
    client = client_for(brokerage.ben)
    html = page(client.get("/pipeline/engagements/new/", {"contact": nora.pk}))
    assert "Client: <strong>Nora Lind</strong>" in html and 'id="client-q"' not in html
    # A contact the member may not see is named by nobody: the page asks who.
    hidden = ContactFactory(org=brokerage.org, owner=brokerage.maria)
    html = page(client.get("/pipeline/engagements/new/", {"contact": hidden.pk}))
    assert "Client: <strong>" not in html and 'id="client-q"' in html


def test_opening_for_a_contact_the_member_may_not_see_is_refused(brokerage, nora):
    hidden = ContactFactory(org=brokerage.org, owner=brokerage.maria)
    response = client_for(brokerage.ben).post(
        "/pipeline/engagements/new/", {"contact_id": hidden.pk, "side": "buy"}
    )
    assert response.status_code == 400 and not Engagement.objects.exists()
    assert "Pick one of your contacts from the list." in page(response)


# A completed profile files the needs assessment --------------------------------------------------


def needs_assessment(engagement: Engagement):
    return DeliverableRecord.objects.filter(
        engagement=engagement, phase_key="discovery", deliverable_key="needs_assessment"
    ).first()


def test_a_completed_buyer_profile_files_the_needs_assessment_on_the_buyers_journey_only(
    brokerage, nora, django_capture_on_commit_callbacks
):
    buying, selling = journey(brokerage.ben, nora, "buy"), journey(brokerage.ben, nora, "sell")
    with django_capture_on_commit_callbacks(execute=True):
        profile_for(brokerage.ben, nora, price_max=BUYER_ESSENTIALS["price_max"])
    assert needs_assessment(buying) is None  # not complete yet
    with django_capture_on_commit_callbacks(execute=True):
        profile_for(brokerage.ben, nora, **BUYER_ESSENTIALS)
    completed = Event.objects.get(kind="contact.profile_completed")
    record = needs_assessment(buying)
    assert record is not None and record.event_id == completed.pk
    assert record.note == "the buyer profile was completed"
    assert record.recorded_by == brokerage.ben
    assert needs_assessment(selling) is None
    work = Event.objects.get(kind="engagement.work_recorded", subject_id=buying.pk)
    assert work.payload["event_kind"] == "contact.profile_completed"
    assert work.payload["deliverables"] == ["discovery:needs_assessment"]


def test_a_completed_seller_profile_files_it_on_the_sellers_journey(
    brokerage, nora, django_capture_on_commit_callbacks
):
    buying, selling = journey(brokerage.ben, nora, "buy"), journey(brokerage.ben, nora, "sell")
    with django_capture_on_commit_callbacks(execute=True):
        profile_for(brokerage.ben, nora, "sell", **SELLER_ESSENTIALS)
    assert needs_assessment(selling) is not None and needs_assessment(buying) is None


def test_a_journey_opened_after_the_profile_was_completed_files_it_when_it_opens(
    brokerage, nora, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        profile_for(brokerage.ben, nora, **BUYER_ESSENTIALS)
    with django_capture_on_commit_callbacks(execute=True):
        buying = journey(brokerage.ben, nora, "buy")
        selling = journey(brokerage.ben, nora, "sell")
    record = needs_assessment(buying)
    assert record is not None
    assert record.event_id == Event.objects.get(kind="contact.profile_completed").pk
    assert needs_assessment(selling) is None


def test_a_lost_journey_is_left_alone(brokerage, nora, django_capture_on_commit_callbacks):
    lost = journey(brokerage.ben, nora, "buy")
    engagement_close(actor=brokerage.ben, engagement_id=lost.pk, status="lost", reason="Gone")
    with django_capture_on_commit_callbacks(execute=True):
        profile_for(brokerage.ben, nora, **BUYER_ESSENTIALS)
    assert needs_assessment(lost) is None


@pytest.mark.parametrize("level", Level.values)
def test_every_shipped_journey_names_the_completed_profile_for_the_needs_assessment(level):
    discovery = blueprint_load(shipped_data("journey", level)).phase("discovery")
    [item] = [d for d in discovery.deliverables if d.key == "needs_assessment"]
    assert item.done_by == ("contact.profile_completed",)
