"""Checklist templates of an org: the shipped ones copied in on first use, the most specific
one chosen for a deal's side and state, and an org's own saved over them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import PermissionDenied
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import can_org_wide
from rallypoynt.transactions.domain import (
    checklist_defaults_load,
    checklist_template_parse,
)
from rallypoynt.transactions.models import ChecklistTemplate

TEMPLATE_ACTION = "checklists.change_templates"


def checklist_templates_for(org_id: int) -> list[ChecklistTemplate]:
    """The org's checklist templates; the shipped defaults are copied in on first use."""
    rows = ChecklistTemplate.objects.filter(org_id=org_id).order_by("kind", "side", "state", "pk")
    found = list(rows)
    if found:
        return found
    ChecklistTemplate.objects.bulk_create(
        [ChecklistTemplate(org_id=org_id, **data) for data in checklist_defaults_load()],
        # A concurrent first use copied them in already: keep theirs.
        ignore_conflicts=True,
    )
    event_emit(org_id=org_id, kind="checklist_templates.copied", payload={})
    return list(rows.all())


def checklist_template_best(
    templates: Iterable[ChecklistTemplate], *, kind: str, side: str, state: str
) -> ChecklistTemplate | None:
    """The most specific template of `kind`: side and state, then side, then state, then all."""
    rank = {("", ""): 3, ("", state): 2, (side, ""): 1, (side, state): 0}
    found = [t for t in templates if t.kind == kind and (t.side, t.state) in rank]
    return min(found, key=lambda t: rank[(t.side, t.state)], default=None)


def checklist_templates_for_sides(
    templates: list[ChecklistTemplate], *, kind: str, sides: list[str], state: str
) -> list[ChecklistTemplate]:
    """The best template of `kind` for each side, each template once (in the sides' order)."""
    found: dict[int, ChecklistTemplate] = {}
    for side in sides:
        best = checklist_template_best(templates, kind=kind, side=side, state=state)
        if best is not None:
            found.setdefault(best.pk, best)
    return list(found.values())


@transaction.atomic
def checklist_template_save(
    *, actor: Membership, kind: str, side: str, state: str, name: str, items: list[Any]
) -> ChecklistTemplate:
    """Create or replace the org's template for a kind, side and state (admins only)."""
    if not can_org_wide(actor, TEMPLATE_ACTION):
        raise PermissionDenied("Only brokers, systems admins and coordinators may.")
    data = checklist_template_parse(
        {"kind": kind, "side": side, "state": state, "name": name, "items": items}
    )
    checklist_templates_for(actor.org_id)
    row, created = ChecklistTemplate.objects.update_or_create(
        org_id=actor.org_id,
        kind=data["kind"],
        side=data["side"],
        state=data["state"],
        defaults={"name": data["name"], "items": data["items"]},
    )
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="checklist_template.create" if created else "checklist_template.update",
        target=row,
        changes={"items": len(data["items"])},
        kind="checklist_template.saved",
        payload={"kind": row.kind, "side": row.side, "state": row.state},
    )
    return row
