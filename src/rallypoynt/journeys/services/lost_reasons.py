"""Why engagements are lost: each org's own list, started from the defaults."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from rallypoynt.core.errors import Conflict, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.journeys.choices import LOST_REASONS
from rallypoynt.journeys.models import LostReason
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.services import require

MANAGE_ACTION = "org.manage_teams"


def lost_reasons_ensure(org_id: int) -> None:
    """Give an org the default list the first time it needs one (safe under races)."""
    if LostReason.objects.filter(org_id=org_id).exists():
        return
    LostReason.objects.bulk_create(
        [
            LostReason(org_id=org_id, key=key, label=label, position=i)
            for i, (key, label) in enumerate(LOST_REASONS)
        ],
        ignore_conflicts=True,
    )


def lost_reason_pick(org_id: int, key: str) -> LostReason:
    """An active reason of the org's list, or a 422 naming the choices."""
    lost_reasons_ensure(org_id)
    found = LostReason.objects.filter(org_id=org_id, key=key, is_active=True).first()
    if found is None:
        keys = LostReason.objects.filter(org_id=org_id, is_active=True).values_list(
            "key", flat=True
        )
        raise ValidationFailed(
            "Why was it lost?", fields={"reason_key": [f"one of {', '.join(keys)}"]}
        )
    return found


@transaction.atomic
def lost_reason_save(
    *,
    actor: Membership,
    key: str,
    label: str,
    is_active: bool = True,
    position: int | None = None,
) -> LostReason:
    """Add a reason to the org's list, or rename, reorder or retire one (never deleted:
    lost engagements keep theirs)."""
    require(actor, MANAGE_ACTION)
    lost_reasons_ensure(actor.org_id)
    errors: dict[str, list[str]] = {}
    key, label = key.strip().lower(), label.strip()
    if not key or len(key) > 40 or not key.replace("_", "").replace("-", "").isalnum():
        errors["key"] = ["1 to 40 letters, digits, - or _"]
    if not label or len(label) > 80:
        errors["label"] = ["a text of 1 to 80 characters"]
    if position is not None and not 0 <= position <= 1000:
        errors["position"] = ["between 0 and 1000"]
    if errors:
        raise ValidationFailed("The reason is not valid.", fields=errors)
    row = LostReason.objects.select_for_update().filter(org_id=actor.org_id, key=key).first()
    if row is None:
        last = LostReason.objects.filter(org_id=actor.org_id).count()
        try:
            with transaction.atomic():
                row = LostReason.objects.create(
                    org_id=actor.org_id, key=key, label=label, position=last
                )
        except IntegrityError as exc:
            raise Conflict("That reason exists already.", fields={"key": ["taken"]}) from exc
    row.label, row.is_active = label, is_active
    row.position = row.position if position is None else position
    row.save(update_fields=["label", "is_active", "position", "updated_at"])
    event_emit(
        org_id=actor.org_id,
        kind="lost_reason.saved",
        subject=row,
        actor_id=actor.user_id,
        payload={"key": key, "label": label, "is_active": is_active},
    )
    return row
