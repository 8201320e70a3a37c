"""The engagements' search: titles and clients' names, kept by triggers through renames,
clients added, removed and merged, a new agent and deletion; scoped like every engagement list."""

from __future__ import annotations

import pytest

from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.services.dedupe import contact_merge
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.search import search_name_terms, search_phrases
from rallypoynt.journeys.models import Engagement, EngagementContact, EngagementSearchTerm
from rallypoynt.journeys.selectors import engagement_search
from rallypoynt.journeys.services.engagements import (
    engagement_delete,
    engagement_open,
    engagement_update,
)
from rallypoynt.journeys.tests.factories import handed_off
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return build_brokerage()


def client_of(member, first: str, last: str) -> Contact:
    return ContactFactory(org=member.org, owner=member, first_name=first, last_name=last)


def opened(member, *clients: Contact, title: str = "") -> Engagement:
    ids = [c.pk for c in clients]
    return engagement_open(actor=member, contact_ids=ids, side="buy", title=title)


def found(member, text: str) -> list[int]:
    return [e.pk for e in engagement_search(actor=member, text=text, limit=8)]


def terms(engagement: Engagement) -> set[tuple[str, int, str, int]]:
    rows = EngagementSearchTerm.objects.filter(engagement_id=engagement.pk)
    return set(rows.values_list("source", "source_id", "term", "agent_id"))


def expected(engagement: Engagement) -> set[tuple[str, int, str, int]]:
    engagement.refresh_from_db()
    agent = engagement.agent_id
    want = {("t", engagement.pk, t, agent) for t in search_phrases(engagement.title)}
    for link in EngagementContact.objects.filter(engagement=engagement).select_related("contact"):
        c = link.contact
        want |= {("k", c.pk, t, agent) for t in search_name_terms(c.first_name, c.last_name)}
    return want


def test_an_engagement_is_found_by_its_title_and_by_any_clients_name(firm):
    pair = opened(
        firm.ben,
        client_of(firm.ben, "Ottoline", "Vance"),
        client_of(firm.ben, "Rupert", "Hale"),
        title="Downsizing 2026",
    )
    for typed in ("downsizing", "2026", "vance ottoline", "ottoline", "hale rup", "ru ha"):
        assert found(firm.ben, typed) == [pair.pk], typed
    assert terms(pair) == expected(pair)


def test_the_terms_follow_renames_clients_merges_agents_and_deletion(firm):
    ann = client_of(firm.ben, "Ann", "Ulvaeus")
    twin = client_of(firm.ben, "Anne", "Ulvaeus-Lind")
    work = opened(firm.ben, ann, title="First home")
    engagement_update(actor=firm.ben, engagement_id=work.pk, changes={"title": "Forever home"})
    assert terms(work) == expected(work) and found(firm.ben, "first home") == []
    Contact.objects.filter(pk=ann.pk).update(last_name="Lindqvist")
    assert terms(work) == expected(work) and found(firm.ben, "lindqvist ann") == [work.pk]
    EngagementContact.objects.create(org=firm.org, engagement=work, contact=twin)
    assert terms(work) == expected(work) and found(firm.ben, "ulvaeus lind") == [work.pk]
    contact_merge(actor=firm.ben, keep_id=ann.pk, merge_id=twin.pk)
    assert terms(work) == expected(work) and found(firm.ben, "ulvaeus") == []
    Engagement.objects.filter(pk=work.pk).update(agent=firm.maria)
    assert terms(work) == expected(work)
    assert found(firm.ben, "forever") == [] and found(firm.maria, "forever") == [work.pk]
    EngagementContact.objects.filter(engagement=work).delete()
    assert terms(work) == expected(work) and found(firm.maria, "lindqvist") == []
    engagement_delete(actor=firm.broker, engagement_id=work.pk)
    assert not EngagementSearchTerm.objects.filter(engagement_id=work.pk).exists()


def test_only_engagements_the_reader_may_see_are_found(firm):
    marias = opened(firm.maria, client_of(firm.maria, "Ottokar", "Vanceley"))
    assert found(firm.maria, "vanceley") == [marias.pk]
    assert found(firm.chris, "vanceley") == [marias.pk]  # her team lead
    assert found(firm.broker, "vanceley") == [marias.pk]
    assert found(firm.ben, "vanceley") == []
    assert found(build_brokerage("Elsewhere").broker, "vanceley") == []


def test_work_handed_to_a_member_is_found_by_them(brokerage):
    handoffs = handed_off(brokerage)
    handoff = next(iter(handoffs.values()))
    engagement = Engagement.objects.get(pk=handoff.engagement_id)
    receiver = handoff.to_member
    word = engagement.title.split()[0]
    assert engagement.pk in found(receiver, word)
