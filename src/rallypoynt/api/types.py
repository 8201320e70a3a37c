"""Bounded input types shared by every app's API schemas.

Values the database cannot hold (ids beyond 64 bits, money beyond its column, dates a
calculation cannot step past) are the caller's mistake: pydantic answers them with a 422 in
the API's error shape, and the bounds are written into the OpenAPI document.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1

# Any integer a 64-bit signed column (BigAutoField, BigIntegerField) can hold.
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
# A row id: positive, 64-bit.
Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
# An integer stored in a 32-bit column (IntegerField, PositiveIntegerField).
Int32 = Annotated[int, Field(ge=-(2**31), le=INT32_MAX)]
# A count of days a calculation steps over: a few centuries either way.
Days = Annotated[int, Field(ge=-100_000, le=100_000)]

# Money columns are DecimalField(max_digits=14, decimal_places=2); finite only.
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2, allow_inf_nan=False)]
# Percent columns are DecimalField(max_digits=6, decimal_places=3).
Percent = Annotated[Decimal, Field(max_digits=6, decimal_places=3, allow_inf_nan=False)]
# A float that is a real number (JSON's 1e999 parses as infinity).
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2200, 12, 31)
# A date that feeds a calculation (deadlines, business days): far from date.min/date.max.
BoundedDate = Annotated[date, Field(ge=DATE_MIN, le=DATE_MAX)]
