"""Handoffs follow scope like engagements (design rule 13): an office manager sees and accepts
the handoffs of their office's engagements only, agents their own and those handed to them,
and a handoff outside the scope answers exactly like a missing one."""

from __future__ import annotations

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.errors import NotFound, PermissionDenied
from rallypoynt.journeys.models import Handoff
from rallypoynt.journeys.selectors import handoff_list
from rallypoynt.journeys.services.handoffs import handoff_accept
from rallypoynt.journeys.tests.factories import MONDAY_10, handed_off
from rallypoynt.orgs.tests.brokerage import Brokerage, fresh

pytestmark = pytest.mark.django_db

MISSING = 999_999


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.fixture
def handoffs(brokerage: Brokerage) -> dict[str, Handoff]:
    return handed_off(brokerage)


SEES, ACCEPTS, REFUSED = "sees", "accepts", "refused"
# actor -> office -> what they may do with that office's handoff; a missing office: nothing
# (the handoff answers like a missing one). REFUSED: seen, but accepting is a 403.
TABLE: dict[str, dict[str, str]] = {
    "broker": {"denver": ACCEPTS, "boulder": ACCEPTS},
    "compliance": {"denver": REFUSED, "boulder": REFUSED},
    "manager": {"boulder": ACCEPTS},
    # The giving agents (and team leads): they see their team's handoff, the receiver accepts.
    "lead": {"denver": REFUSED},
    "chris": {"boulder": REFUSED},
    "buyer": {"denver": ACCEPTS},
    "maria": {"boulder": ACCEPTS},
    "ben": {},
    # Managing teams org-wide is no sight of others' engagements: theirs are their own only.
    "sysadmin": {},
}
CASES = [
    pytest.param(who, where, id=f"{who}-{where}")
    for who in TABLE
    for where in ("denver", "boulder")
]


@pytest.mark.parametrize(("who", "where"), CASES)
def test_who_sees_and_accepts_which_handoff(brokerage, handoffs, who, where):
    actor = fresh(brokerage.people[who])
    handoff = handoffs[where]
    allowed = TABLE[who].get(where)

    assert handoff_list(actor=actor).filter(pk=handoff.pk).exists() == (allowed is not None)
    if allowed == ACCEPTS:
        accepted = handoff_accept(actor=actor, handoff_id=handoff.pk, now=MONDAY_10)
        assert accepted.accepted_at == MONDAY_10
        return
    if allowed == REFUSED:
        with pytest.raises(PermissionDenied):
            handoff_accept(actor=actor, handoff_id=handoff.pk)
    else:
        with pytest.raises(NotFound) as theirs:
            handoff_accept(actor=actor, handoff_id=handoff.pk)
        with pytest.raises(NotFound) as missing:
            handoff_accept(actor=actor, handoff_id=MISSING)
        assert (str(theirs.value), theirs.value.fields) == (
            str(missing.value),
            missing.value.fields,
        )
    handoff.refresh_from_db()
    assert handoff.accepted_at is None


def test_the_office_manager_lists_their_offices_handoffs_only(brokerage, handoffs):
    assert list(handoff_list(actor=fresh(brokerage.manager))) == [handoffs["boulder"]]
    everything = {handoffs["denver"], handoffs["boulder"]}
    assert set(handoff_list(actor=fresh(brokerage.broker))) == everything


def test_a_manager_moved_to_the_other_office_sees_that_office_instead(brokerage, handoffs):
    manager = brokerage.manager
    manager.office = brokerage.denver
    manager.save()
    assert list(handoff_list(actor=fresh(manager))) == [handoffs["denver"]]
    with pytest.raises(NotFound):
        handoff_accept(actor=fresh(manager), handoff_id=handoffs["boulder"].pk)
    accepted = handoff_accept(actor=fresh(manager), handoff_id=handoffs["denver"].pk)
    assert accepted.accepted_at is not None


def test_the_receiver_in_another_office_still_sees_and_accepts_theirs(brokerage, handoffs):
    # Maria (Boulder) is handed a step of a Denver engagement: hers to accept, not her manager's.
    handoff = handoffs["denver"]
    Handoff.objects.filter(pk=handoff.pk).update(to_member=brokerage.maria)
    maria, manager = fresh(brokerage.maria), fresh(brokerage.manager)
    assert handoff_list(actor=maria).filter(pk=handoff.pk).exists()
    assert not handoff_list(actor=manager).filter(pk=handoff.pk).exists()
    with pytest.raises(NotFound):
        handoff_accept(actor=manager, handoff_id=handoff.pk)
    assert handoff_accept(actor=maria, handoff_id=handoff.pk).accepted_at is not None


def test_over_the_api_another_offices_handoff_answers_like_a_missing_one(brokerage, handoffs):
    client = ApiClient(brokerage.manager)
    theirs = client.post(f"/api/v1/handoffs/{handoffs['denver'].pk}/accept")
    missing = client.post(f"/api/v1/handoffs/{MISSING}/accept")
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
    assert theirs.status_code == 404
    listed = client.get("/api/v1/handoffs").json()["items"]
    assert [row["id"] for row in listed] == [handoffs["boulder"].pk]
    mine = client.post(f"/api/v1/handoffs/{handoffs['boulder'].pk}/accept")
    assert mine.status_code == 200 and mine.json()["accepted_at"]
