"""Offices, teams and who is on which team."""

from __future__ import annotations

from django.db import transaction

from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.orgs.models import (
    Membership,
    Office,
    Team,
    TeamMember,
)
from rallypoynt.orgs.permissions import Reach
from rallypoynt.orgs.services.common import (
    member_for_update,
    require,
    require_not_outranked,
    require_reach,
    validate_lengths,
)

TEAMS = "org.manage_teams"


def team_for_update(actor: Membership, team_id: int, reach: Reach) -> Team:
    """The team in the actor's reach, or NotFound (a team outside it answers like a missing one)."""
    team = Team.objects.filter(org_id=actor.org_id, pk=team_id).first()
    if team is None or not reach.has_team(team):
        raise NotFound("No such team.")
    return team


@transaction.atomic
def office_create(*, actor: Membership, name: str, address: str = "", phone: str = "") -> Office:
    require(actor, "org.manage_offices")
    name = name.strip()
    if not name:
        raise ValidationFailed("A name is required.", fields={"name": ["This field is required."]})
    validate_lengths(Office, {"name": name, "address": address, "phone": phone})
    if Office.objects.filter(org_id=actor.org_id, name__iexact=name).exists():
        raise Conflict("An office with that name exists.", fields={"name": ["taken"]})
    office = Office.objects.create(org_id=actor.org_id, name=name, address=address, phone=phone)
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="office.create",
        target=office,
        kind="office.created",
    )
    return office


@transaction.atomic
def team_create(*, actor: Membership, name: str, office_id: int | None = None) -> Team:
    """A new team; an office manager creates teams of their own office only."""
    reach = require_reach(actor, TEAMS)
    if not reach.is_org_wide and office_id is None:
        office_id = actor.office_id
    name = name.strip()
    if not name:
        raise ValidationFailed("A name is required.", fields={"name": ["This field is required."]})
    validate_lengths(Team, {"name": name})
    if office_id and not Office.objects.filter(org_id=actor.org_id, pk=office_id).exists():
        raise ValidationFailed("No such office.", fields={"office_id": ["not found"]})
    if not reach.has_office(office_id):
        raise ValidationFailed("No such office.", fields={"office_id": ["not found"]})
    if Team.objects.filter(org_id=actor.org_id, name__iexact=name).exists():
        raise Conflict("A team with that name exists.", fields={"name": ["taken"]})
    team = Team.objects.create(org_id=actor.org_id, name=name, office_id=office_id)
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="team.create",
        target=team,
        kind="team.created",
    )
    return team


@transaction.atomic
def team_member_add(
    *, actor: Membership, team_id: int, membership_id: int, is_lead: bool = False
) -> TeamMember:
    """Put a member on a team (or make them its lead): both must be in the actor's reach, so
    an office manager cannot lead, or staff, another office's team."""
    reach = require_reach(actor, TEAMS)
    team = team_for_update(actor, team_id, reach)
    member = member_for_update(actor, membership_id, reach)
    require_not_outranked(actor, member)
    row, created = TeamMember.objects.update_or_create(
        org_id=actor.org_id, team=team, membership=member, defaults={"is_lead": is_lead}
    )
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="team.member_set",
        target=team,
        changes={"membership": member.pk, "is_lead": is_lead, "added": created},
        kind="team.member_set",
        payload={"membership_id": member.pk, "is_lead": is_lead},
    )
    return row


@transaction.atomic
def team_member_remove(*, actor: Membership, team_id: int, membership_id: int) -> None:
    reach = require_reach(actor, TEAMS)
    team = team_for_update(actor, team_id, reach)
    deleted, _ = TeamMember.objects.filter(
        org_id=actor.org_id, team_id=team_id, membership_id=membership_id
    ).delete()
    if not deleted:
        raise NotFound("That member is not on that team.")
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="team.member_remove",
        target=team,
        changes={"membership": membership_id},
        kind="team.member_removed",
        payload={"membership_id": membership_id},
    )
