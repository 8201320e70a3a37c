"""Parsing the deal page's forms into what the services take; the services do the checking."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import QueryDict

from rallypoynt.core.errors import ValidationFailed

# The contingencies the offer form asks for, each as a `<kind>_days` field.
OFFER_FORM_CONTINGENCIES = ("inspection", "appraisal", "financing")


def date_or_none(value: str | None) -> date | None:
    """An ISO date from a form field; empty or not a date is None."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def offer_terms_from_post(data: QueryDict) -> dict[str, Any]:
    """The offer form's terms as `offer_create` takes them: amounts passed on as typed (the
    service checks them), a contingency for each `<kind>_days` filled in."""
    return {
        "price": data.get("price"),
        "earnest_money": data.get("earnest_money") or None,
        "closing_on": date_or_none(data.get("closing_on")),
        "contingencies": [
            {"kind": kind, "days": _days(data, f"{kind}_days")}
            for kind in OFFER_FORM_CONTINGENCIES
            if data.get(f"{kind}_days")
        ],
    }


def _days(data: QueryDict, field: str) -> int:
    # Refused here, not left to int(): a ValueError would reach the user as a server error.
    try:
        return int(data.get(field) or 0)
    except ValueError:
        raise ValidationFailed(
            "The offer's terms are not valid.", fields={field: ["a whole number of days"]}
        ) from None
