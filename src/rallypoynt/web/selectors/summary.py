"""Contacts by stage for the home page, scoped by the actor's visibility."""

from __future__ import annotations

from django.db.models import Count, Q

from rallypoynt.contacts.choices import Stage
from rallypoynt.contacts.selectors import contact_queryset
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import Visibility, visibility_for


def scope_text(scope: Visibility) -> str:
    """Say in plain words whose rows the viewer sees."""
    if scope.is_org_wide:
        return "everyone's contacts in the organization"
    parts = ["your own contacts"]
    if "office" in scope.reason:
        parts.append("your office's")
    if "led teams" in scope.reason:
        parts.append("your team's")
    return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]


def home_summary(*, actor: Membership) -> dict:
    """Counts of the contacts the actor can see, by stage, in one query."""
    scope = visibility_for(actor)
    # Same visibility as the contacts list: owned in scope, or shared as collaborator.
    counts = contact_queryset(actor=actor).aggregate(
        total=Count("pk"),
        **{stage: Count("pk", filter=Q(stage=stage)) for stage in Stage.values},
    )
    stages = [
        {"code": code, "label": label, "count": counts[code]} for code, label in Stage.choices
    ]
    peak = max([s["count"] for s in stages] + [1])
    for s in stages:
        s["percent"] = round(100 * s["count"] / peak)
    return {
        "scope_text": scope_text(scope),
        "total": counts["total"],
        "stages": stages,
        "scope": scope,
        "chart_height": 30 * len(stages),
    }
