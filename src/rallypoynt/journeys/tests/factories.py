"""Factories for journeys tests: engagements through the real services, walking them through
phases, handoffs between offices, and a small template for the engine and parser."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.journeys.models import Engagement, Handoff
from rallypoynt.journeys.selectors import engagement_evaluate
from rallypoynt.journeys.services.engagements import engagement_open
from rallypoynt.journeys.services.progress import phase_advance, step_complete
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.config_cache import org_cache_clear
from rallypoynt.orgs.services import member_update
from rallypoynt.orgs.tests.brokerage import Brokerage, fresh

# A Tuesday, 10:00 in the org's time zone (factories: America/New_York, 9-17 on weekdays).
NOW = datetime(2025, 3, 4, 10, 0, tzinfo=ZoneInfo("America/New_York"))
MONDAY_10 = datetime(2025, 3, 3, 10, 0, tzinfo=ZoneInfo("America/New_York"))


def engagement_for(member, *, side: str = "buy", level: str = "team", **values) -> Engagement:
    """An engagement of `member` for a new contact they own, through the real service."""
    contact = ContactFactory(org=member.org, owner=member)
    return engagement_open(actor=member, contact_ids=[contact.pk], side=side, level=level, **values)


def opened(member, **values) -> Engagement:
    """An engagement opened at NOW."""
    return engagement_for(member, now=NOW, **values)


def reloaded(engagement: Engagement) -> Engagement:
    """The engagement read again, with what the engine needs."""
    return Engagement.objects.select_related("journey", "pipeline", "org").get(pk=engagement.pk)


def phase_finish(actor, engagement: Engagement, now: datetime = NOW) -> None:
    """Complete every step of the current phase still open on the engagement's side."""
    for status in engagement_evaluate(reloaded(engagement), now).open_steps:
        step_complete(actor=actor, engagement_id=engagement.pk, step_key=status.step.key, now=now)


def advance_to(
    actor, engagement: Engagement, phase_key: str, now: datetime = NOW, *, finish: bool = False
) -> None:
    """Finish phases and advance until the engagement is in `phase_key`; `finish` completes
    that phase's open steps too."""
    while reloaded(engagement).phase_key != phase_key:
        phase_finish(actor, engagement, now)
        phase_advance(actor=actor, engagement_id=engagement.pk, now=now)
    if finish:
        phase_finish(actor, engagement, now)


def visits(model, engagement: Engagement) -> list[tuple[str, str, bool]]:
    """The engagement's phase or stage visits: (key, exit, still open), oldest first."""
    rows = model.objects.filter(engagement=engagement).order_by("entered_at", "id")
    return [(v.key, v.exit, v.exited_at is None) for v in rows]


def handed_off(b: Brokerage) -> dict[str, Handoff]:
    """One open handoff per office: Denver's lead hands a buy step to Summit's buyer
    specialist, Boulder's Chris hands one to Maria (made Flatirons' buyer specialist)."""
    # SQLite hands rolled-back ids out again: another test's cached blueprint must not serve.
    org_cache_clear()
    member_update(
        actor=fresh(b.broker),
        membership_id=b.maria.pk,
        roles=[Role.AGENT, Role.BUYER_SPECIALIST],
    )
    found = {}
    for where, agent, team in (("denver", b.lead, b.summit), ("boulder", b.chris, b.flatirons)):
        engagement = engagement_for(
            fresh(agent), side="buy", level="team", team_id=team.pk, now=MONDAY_10
        )
        [found[where]] = Handoff.objects.filter(engagement=engagement)
    assert (found["denver"].to_member_id, found["boulder"].to_member_id) == (b.buyer.pk, b.maria.pk)
    return found


# A two-phase journey exercising business-time dues, SLAs, sides, deliverables and gates.
MINI_TEMPLATE = {
    "key": "mini",
    "name": "Mini journey",
    "kind": "journey",
    "phases": [
        {
            "key": "discovery",
            "name": "Discovery",
            "deliverables": [
                {"key": "needs", "name": "Needs assessment"},
                {"key": "notes", "name": "Optional notes", "required": False},
            ],
            "steps": [
                {
                    "key": "respond",
                    "title": "Initial Response",
                    "role": {"buy": "buyer_specialist", "sell": "lead_agent"},
                    "due": {"after": "phase", "amount": 1, "unit": "hours", "business": True},
                    "sla": {"after": "phase", "amount": 2, "unit": "hours", "business": True},
                },
                {
                    "key": "discover",
                    "title": "Needs Discovery",
                    "role": "agent",
                    "due": {"after": "respond", "amount": 2, "unit": "days", "business": True},
                    "produces": ["needs", "notes"],
                },
                {
                    "key": "tour_prep",
                    "title": "Tour packets",
                    "role": "showing_assistant",
                    "sides": ["buy"],
                    "required": False,
                    "due": {"after": "phase", "amount": 3, "unit": "days", "business": False},
                },
            ],
            "gate": {"steps": "required", "deliverables": "required"},
        },
        {
            "key": "contract",
            "name": "Contract",
            "steps": [{"key": "sign", "title": "Sign", "role": "agent"}],
            "gate": {
                "steps": "none",
                "deliverables": "none",
                "approval_role": "compliance_officer",
            },
        },
    ],
}
