"""Contact filters: one definition used by the list page, the API and smart lists."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from rallypoynt.contacts.choices import Stage
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone, ContactTag
from rallypoynt.core.errors import ValidationFailed

# Bounds of the whole-number filters: an id fits a 64-bit column; a day count stays within
# what a date can step back (timedelta and the database both refuse more).
NUMBER_BOUNDS = {
    "owner_id": 2**63 - 1,
    "no_touchpoint_days": 100_000,
    "created_within_days": 100_000,
}


@dataclass(frozen=True)
class ContactFilters:
    """Every key is optional; smart lists store these as JSON."""

    q: str = ""
    stage: str = ""
    source: str = ""
    owner_id: int | None = None
    tag: str = ""
    no_touchpoint_days: int | None = None
    created_within_days: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContactFilters:
        """Build from request or JSON values, with ValidationFailed for bad ones."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known - {"cursor", "limit", "format"})
        errors: dict[str, list[str]] = {k: ["unknown filter"] for k in unknown}
        values: dict[str, Any] = {}
        for name in known & set(data):
            raw = data[name]
            if raw in (None, ""):
                continue
            if name in NUMBER_BOUNDS:
                try:
                    values[name] = int(raw)
                except (TypeError, ValueError):
                    errors[name] = ["must be a whole number"]
                    continue
                if values[name] < 0:
                    errors[name] = ["must not be negative"]
                elif values[name] > NUMBER_BOUNDS[name]:
                    errors[name] = [f"must be at most {NUMBER_BOUNDS[name]}"]
            else:
                values[name] = str(raw).strip()
        if values.get("stage") and values["stage"] not in Stage.values:
            errors["stage"] = [f"one of {', '.join(Stage.values)}"]
        if errors:
            raise ValidationFailed("Invalid filters.", fields=errors)
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """Only the keys that are set (for smart lists and query strings)."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}

    def apply(self, qs: QuerySet[Contact]) -> QuerySet[Contact]:
        if self.q:
            qs = qs.filter(search_q(qs.model, self.q, org_field="org_id"))
        if self.stage:
            qs = qs.filter(stage=self.stage)
        if self.source:
            qs = qs.filter(source__iexact=self.source)
        if self.owner_id is not None:
            qs = qs.filter(owner_id=self.owner_id)
        if self.tag:
            qs = qs.filter(
                pk__in=ContactTag.objects.filter(tag__name__iexact=self.tag).values("contact_id")
            )
        if self.no_touchpoint_days is not None:
            since = timezone.now() - timedelta(days=self.no_touchpoint_days)
            qs = qs.filter(Q(last_touchpoint_at__lt=since) | Q(last_touchpoint_at__isnull=True))
        if self.created_within_days is not None:
            qs = qs.filter(
                created_at__gte=timezone.now() - timedelta(days=self.created_within_days)
            )
        return qs


def search_q(model: type[Model], text: str, *, org_field: str) -> Q:
    """Match a name prefix, an e-mail address or a phone number's digits."""
    text = text.strip()
    if "@" in text:
        return Q(
            pk__in=ContactEmail.objects.filter(address__startswith=text.lower()).values(
                "contact_id"
            )
        )
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 4 and len(digits) >= len(text.replace(" ", "")) - 4:
        return Q(pk__in=ContactPhone.objects.filter(number__contains=digits).values("contact_id"))
    words = text.split()
    if len(words) >= 2:
        return Q(first_name__istartswith=words[0], last_name__istartswith=" ".join(words[1:]))
    return Q(last_name__istartswith=text) | Q(first_name__istartswith=text)
