"""Contact filters: one definition used by the list page, the API and smart lists."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.utils import timezone

from rallypoynt.contacts.choices import Stage
from rallypoynt.contacts.models import (
    Contact,
    ContactCollaborator,
    ContactSearchTerm,
    ContactTag,
)
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.search import Like, prefix_range, search_pattern, search_prefix
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for

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

    def apply(self, qs: QuerySet[Contact], *, actor: Membership) -> QuerySet[Contact]:
        """Narrow `qs` (the actor's visible contacts) to these filters."""
        if self.q:
            qs = qs.filter(search_q(self.q, actor=actor))
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


def search_q(text: str, *, actor: Membership) -> Q:
    """Contacts with a term starting with `text`, or with a word starting with each of its
    words in order (a name in either order, an e-mail, a phone in any format, a street;
    core/search.py), for lists in any order: the ids come off the
    term index within the actor's org and scope, so no other org's rows and none of the
    org's other owners' are read."""
    prefix = search_prefix(text)
    if not prefix:
        return Q(pk__in=[])
    pattern = search_pattern(prefix)
    # Several words: each starts a word of one term, in order ("jo smi": John Smith).
    low, high = prefix_range(prefix.split()[0] if pattern else prefix)
    terms = ContactSearchTerm.objects.filter(org_id=actor.org_id, term__gte=low, term__lt=high)
    if pattern:
        terms = terms.filter(Like(F("term"), Value(pattern)))
    scope = visibility_for(actor)
    if scope.is_org_wide:
        return Q(pk__in=terms.values("contact_id"))
    shared = ContactCollaborator.objects.filter(org_id=actor.org_id, membership_id=actor.pk)
    mine = terms.filter(owner_id__in=sorted(scope.member_ids or ()))
    return Q(pk__in=mine.values("contact_id")) | Q(
        pk__in=terms.filter(contact_id__in=shared.values("contact_id")).values("contact_id")
    )
