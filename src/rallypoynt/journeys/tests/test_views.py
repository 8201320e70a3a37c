"""The pipeline pages: board, engagement page, opening one, templates; who sees what."""

from __future__ import annotations

import pytest
from django.utils import timezone

from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.testing import client_for, count_queries
from rallypoynt.journeys.models import Engagement, TemplateVersion
from rallypoynt.journeys.tests.factories import engagement_for, phase_finish

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_board_shows_columns_with_counts_and_value(brokerage):
    engagement_for(brokerage.ben, expected_value=12000)
    engagement_for(brokerage.ben, expected_value=3000, side="sell")
    page = html(client_for(brokerage.ben).get("/pipeline/"))
    assert "Prospect Identification" in page and "Relationship Management" in page
    assert 'data-count="2"' in page and "$15,000" in page
    by_phase = html(client_for(brokerage.ben).get("/pipeline/?by=phase"))
    assert "Discovery &amp; Engagement" in by_phase


@pytest.mark.query_guard("journeys:board")
def test_the_board_costs_the_same_queries_for_more_engagements(brokerage):
    client = client_for(brokerage.broker)
    engagement_for(brokerage.ben)
    client.get("/pipeline/")
    few = count_queries(lambda: client.get("/pipeline/"))
    for _ in range(6):
        engagement_for(brokerage.buyer, side="sell")
    client.get("/pipeline/")
    assert count_queries(lambda: client.get("/pipeline/")) == few


def test_an_agent_sees_only_their_own_cards(brokerage):
    mine = engagement_for(brokerage.ben, title="Ben's client")
    theirs = engagement_for(brokerage.maria, title="Maria's client")
    page = html(client_for(brokerage.ben).get("/pipeline/"))
    assert f'data-engagement="{mine.pk}"' in page
    assert f'data-engagement="{theirs.pk}"' not in page
    assert client_for(brokerage.ben).get(f"/pipeline/engagements/{theirs.pk}/").status_code == 404


def test_moving_a_card_changes_its_stage(brokerage):
    engagement = engagement_for(brokerage.ben)
    response = client_for(brokerage.ben).post(
        f"/pipeline/{engagement.pk}/move/", {"to": "initial_engagement"}
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.stage_key == "initial_engagement"


def test_moving_a_card_on_the_phase_board_advances_it_when_nothing_blocks(brokerage):
    engagement = engagement_for(brokerage.ben)
    client = client_for(brokerage.ben)
    page = html(client.get("/pipeline/?by=phase"))
    assert f'action="/pipeline/{engagement.pk}/next-phase/?by=phase"' in page
    blocked = client.post(f"/pipeline/{engagement.pk}/next-phase/", follow=True)
    assert "cannot be left yet" in html(blocked)
    phase_finish(brokerage.ben, engagement, timezone.now())
    response = client.post(f"/pipeline/{engagement.pk}/next-phase/")
    assert response.status_code == 302 and response.url == "/pipeline/?by=phase"
    engagement.refresh_from_db()
    assert engagement.phase_key != "discovery"


def test_the_engagement_page_lists_steps_blockers_and_guidance_and_completes_a_step(brokerage):
    engagement = engagement_for(brokerage.ben)
    client = client_for(brokerage.ben)
    url = f"/pipeline/engagements/{engagement.pk}/"
    page = html(client.get(url))
    assert "Initial Inquiry Processing" in page and "What still blocks it" in page
    assert "First impressions are critical" in page
    client.post(f"{url}complete/", {"step_key": "initial_inquiry_processing"})
    page = html(client.get(url))
    assert "Done " in page
    response = client.post(f"{url}advance/", follow=True)
    assert "cannot be left yet" in html(response)
    engagement.refresh_from_db()
    assert engagement.phase_key == "discovery"


def test_opening_an_engagement_from_a_contact(brokerage):
    contact = ContactFactory(org=brokerage.org, owner=brokerage.ben, first_name="Nora")
    client = client_for(brokerage.ben)
    assert "Nora" in html(client.get(f"/pipeline/engagements/new/?contact={contact.pk}"))
    response = client.post(
        "/pipeline/engagements/new/",
        {"contact_id": contact.pk, "side": "sell", "expected_value": "9000"},
    )
    engagement = Engagement.objects.get()
    assert response.status_code == 302 and engagement.side == "sell"


def test_templates_can_be_copied_edited_and_published_by_a_manager_only(brokerage):
    client = client_for(brokerage.broker)
    response = client.post("/pipeline/templates/copy/", {"kind": "journey", "level": "team"})
    version = TemplateVersion.objects.get()
    assert response.status_code == 302
    page = html(client.get(f"/pipeline/templates/{version.template_id}/v/1/"))
    assert "Discovery &amp; Engagement" in page and "Transaction coordinator" in page
    edit_url = f"/pipeline/templates/{version.template_id}/v/1/edit/"
    bad = client.post(edit_url, {"yaml": "key: x\nkind: journey\nphases: []\n"})
    assert bad.status_code == 422 and "at least one phase" in bad.content.decode()
    text = html(client.get(edit_url)).split('name="yaml"', 1)[1]
    assert "Initial Inquiry Processing" in text
    agent = client_for(brokerage.ben)
    assert agent.get(edit_url).status_code == 403
    assert agent.post("/pipeline/templates/copy/", {"kind": "journey"}).status_code == 403


def test_a_manager_edits_the_lost_reasons_and_an_agent_only_reads_them(brokerage, client):
    from rallypoynt.journeys.models import LostReason

    client.force_login(brokerage.ben.user)
    page = client.get("/pipeline/lost-reasons/")
    assert page.status_code == 200 and b"Went with another agent" in page.content
    client.post("/pipeline/lost-reasons/", {"key": "moved", "label": "Moved away"})
    assert not LostReason.objects.filter(key="moved").exists()
    client.force_login(brokerage.broker.user)
    bad = client.post("/pipeline/lost-reasons/", {"key": "moved", "label": ""})
    assert bad.status_code == 400 and not LostReason.objects.filter(key="moved").exists()
    client.post("/pipeline/lost-reasons/", {"key": "moved", "label": "Moved", "is_active": "on"})
    client.post("/pipeline/lost-reasons/", {"key": "financing", "label": "Financing"})
    reasons = dict(LostReason.objects.filter(org=brokerage.org).values_list("key", "is_active"))
    assert reasons["moved"] is True and reasons["financing"] is False
