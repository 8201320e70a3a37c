"""Reads of the org's structure: offices and teams (with their leads)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from rallypoynt.orgs.models import Membership, Office, Team, TeamMember


def office_list(*, actor: Membership) -> QuerySet[Office]:
    """The org's offices by name."""
    return Office.objects.filter(org_id=actor.org_id).order_by("name")


def team_list(*, actor: Membership) -> QuerySet[Team]:
    """The org's teams by name, with their office and their leads."""
    leads = TeamMember.objects.filter(is_lead=True).select_related("membership__user")
    return (
        Team.objects.filter(org_id=actor.org_id)
        .select_related("office")
        .prefetch_related(Prefetch("members", queryset=leads, to_attr="lead_members"))
        .order_by("name")
    )
