"""An org's custom contact fields and the validation of their values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from rallypoynt.contacts.choices import CustomFieldType
from rallypoynt.contacts.models import CustomField
from rallypoynt.core.audit import audit_record
from rallypoynt.core.errors import Conflict, ValidationFailed
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.services import require


def custom_values_clean(*, org_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Check each value against its field's type; unknown keys are refused."""
    if not values:
        return {}
    defined = {f.key: f for f in CustomField.objects.filter(org_id=org_id)}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key, value in values.items():
        spec = defined.get(key)
        if spec is None:
            errors[f"custom.{key}"] = ["no such custom field"]
        elif value in (None, ""):
            continue
        else:
            try:
                clean[key] = _typed(spec, value)
            except ValueError as exc:
                errors[f"custom.{key}"] = [str(exc)]
    if errors:
        raise ValidationFailed("Invalid custom field values.", fields=errors)
    return clean


def _typed(spec: CustomField, value: Any) -> Any:
    kind = spec.field_type
    if kind == CustomFieldType.NUMBER:
        try:
            return str(Decimal(str(value)))
        except InvalidOperation as exc:
            raise ValueError("must be a number") from exc
    if kind == CustomFieldType.DATE:
        return date.fromisoformat(str(value)).isoformat()
    if kind == CustomFieldType.BOOLEAN:
        if str(value).lower() in {"1", "true", "yes"}:
            return True
        if str(value).lower() in {"0", "false", "no"}:
            return False
        raise ValueError("must be yes or no")
    if kind == CustomFieldType.CHOICE and str(value) not in spec.choices:
        raise ValueError(f"one of {', '.join(spec.choices)}")
    return str(value)[:500]


@transaction.atomic
def custom_field_create(
    *,
    actor: Membership,
    label: str,
    field_type: str = CustomFieldType.TEXT,
    choices: list[str] | None = None,
) -> CustomField:
    require(actor, "org.change_settings")
    key = slugify(label).replace("-", "_")[:40]
    if not key:
        raise ValidationFailed("A label is required.", fields={"label": ["required"]})
    if field_type not in CustomFieldType.values:
        raise ValidationFailed("Unknown type.", fields={"field_type": ["unknown type"]})
    if field_type == CustomFieldType.CHOICE and not choices:
        raise ValidationFailed("A choice field needs choices.", fields={"choices": ["required"]})
    if CustomField.objects.filter(org_id=actor.org_id, key=key).exists():
        raise Conflict("A field with that name exists.", fields={"label": ["taken"]})
    spec = CustomField.objects.create(
        org_id=actor.org_id,
        key=key,
        label=label.strip()[:80],
        field_type=field_type,
        choices=[c.strip() for c in choices or [] if c.strip()],
    )
    audit_record(
        org_id=actor.org_id, actor_id=actor.user_id, action="custom_field.create", target=spec
    )
    return spec
