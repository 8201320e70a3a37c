"""API: the deadline calculator integrators use to agree with our contract dates."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema
from pydantic import Field

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import BoundedDate
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.transactions.domain import (
    MAX_DAYS,
    DayType,
    DeadlineRule,
    Roll,
    deadline_calendar,
    due,
)

router = Router(tags=["deadlines"])


class DeadlineIn(Schema):
    anchor_on: BoundedDate
    days: int = Field(ge=-MAX_DAYS, le=MAX_DAYS)
    day_type: DayType = DayType.CALENDAR
    roll: Roll = Roll.NONE
    country: str = "US"
    subdivision: str | None = None


class SkippedDay(Schema):
    on: date
    reason: str


class DeadlineOut(Schema):
    due_on: date
    is_rolled: bool
    skipped: list[SkippedDay]


@router.post("/deadlines/calculate", response={200: DeadlineOut, **ERRORS})
def deadline_calculate_endpoint(request, body: DeadlineIn):
    """The date `days` calendar or business days after (before, if negative) `anchor_on`,
    rolled off a weekend or holiday if asked; business days skip weekends and the public
    holidays of `country` and `subdivision` (e.g. US, CA). `skipped` says which days did not
    count and why."""
    try:
        calendar = deadline_calendar(body.country.upper(), (body.subdivision or "").upper())
    except ValueError as exc:
        raise ValidationFailed(
            "No public-holiday data for that place.",
            fields={"subdivision" if body.subdivision else "country": [str(exc)]},
        ) from exc
    rule = DeadlineRule(amount=body.days, day_type=body.day_type, roll=body.roll)
    found = due(rule, body.anchor_on, calendar)
    return {
        "due_on": found.on,
        "is_rolled": found.is_rolled,
        "skipped": [{"on": day, "reason": reason} for day, reason in found.skipped],
    }
