"""Bounded input types shared by every app's API schemas.

Values the database cannot hold (ids beyond 64 bits, counts beyond a 32-bit column, money
beyond its column, dates a calculation cannot step past) are the caller's mistake: pydantic
answers them with a 422 in the API's error shape, and the bounds are written into the OpenAPI
document.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic.fields import FieldInfo

from rallypoynt.core.pagination import MAX_LIMIT

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
INT16_MAX = 2**15 - 1

# Any integer a 64-bit signed column (BigAutoField, BigIntegerField) can hold.
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
# A row id: positive, 64-bit.
Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
# An integer stored in a 32-bit column (IntegerField).
Int32 = Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)]
# PositiveIntegerField: 32 bits, and PostgreSQL checks it is not negative.
PositiveInt32 = Annotated[int, Field(ge=0, le=INT32_MAX)]
# PositiveSmallIntegerField: 16 bits, not negative.
PositiveInt16 = Annotated[int, Field(ge=0, le=INT16_MAX)]
# A count of days a calculation steps over: a few centuries either way (fits 32 bits).
Days = Annotated[int, Field(ge=-100_000, le=100_000)]
# How far ahead a "due soon" list looks: up to a year (the selectors refuse more).
WindowDays = Annotated[int, Field(ge=1, le=366)]
# A page size of a keyset-paginated list.
PageLimit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]


def _decimal(max_digits: int, decimal_places: int) -> FieldInfo:
    """A finite decimal of a DecimalField(max_digits, decimal_places), its bounds documented."""
    whole = max_digits - decimal_places
    largest = float(Decimal(10) ** whole - Decimal(10) ** -decimal_places)
    info: FieldInfo = Field(
        max_digits=max_digits,
        decimal_places=decimal_places,
        allow_inf_nan=False,
        # pydantic writes no digit limits into the JSON schema: a number's range, a string's form.
        json_schema_extra={
            "minimum": -largest,
            "maximum": largest,
            "pattern": rf"^-?\d{{1,{whole}}}(\.\d{{1,{decimal_places}}})?$",
        },
    )
    return info


# Money columns are DecimalField(max_digits=14, decimal_places=2); finite only.
Money = Annotated[Decimal, _decimal(14, 2)]
# Percent columns are DecimalField(max_digits=6, decimal_places=3).
Percent = Annotated[Decimal, _decimal(6, 3)]
# A float that is a real number (JSON's 1e999 parses as infinity).
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2200, 12, 31)
# A date that feeds a calculation (deadlines, business days): far from date.min/date.max.
BoundedDate = Annotated[
    date,
    Field(ge=DATE_MIN, le=DATE_MAX, description=f"A date from {DATE_MIN} to {DATE_MAX}."),
]

DATETIME_MIN = datetime(1900, 1, 1, tzinfo=UTC)
DATETIME_MAX = datetime(2200, 12, 31, 23, 59, 59, tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    # A time without an offset is UTC (the server's zone, as the database stores it); a naive
    # one compared with an aware "now" in a service would raise.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# An instant: far from datetime.min/max (an offset there overflows converting to UTC) and
# always time-zone aware.
BoundedDateTime = Annotated[
    datetime,
    Field(
        ge=DATETIME_MIN,
        le=DATETIME_MAX,
        description="A date-time from 1900-01-01 to 2200-12-31 (UTC when no offset is given).",
    ),
    AfterValidator(_aware),
]


def _wall_clock(value: time) -> time:
    # The org's zone gives the offset; the database cannot store a time with its own.
    if value.tzinfo is not None:
        raise ValueError("a wall-clock time without a UTC offset")
    return value


# A wall-clock time in the org's zone (business hours, a deadline's time of day). JSON Schema's
# "time" format is RFC 3339's full-time, which needs an offset these times do not have.
LocalTime = Annotated[
    time,
    AfterValidator(_wall_clock),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
            "description": "A wall-clock time, HH:MM[:SS], in the org's time zone.",
        }
    ),
]
