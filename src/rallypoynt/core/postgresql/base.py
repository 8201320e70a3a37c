"""PostgreSQL as Django ships it, except that an integer outside its column is refused.

With server-side binding Django sends integer-column values as binary Int2/Int4, which psycopg
packs modulo 2**16 / 2**32: 2**32 + 5 would be stored (or looked up) as 5. Refusing it here
turns that silent corruption into the DataError any other out-of-range value raises.
"""

from __future__ import annotations

from typing import Any

from django.db import DataError
from django.db.backends.postgresql import base, operations

# The storage type's own range: "Positive" fields add a CHECK, the database enforces that.
_RANGES = {
    "SmallIntegerField": (-(2**15), 2**15 - 1),
    "PositiveSmallIntegerField": (-(2**15), 2**15 - 1),
    "IntegerField": (-(2**31), 2**31 - 1),
    "PositiveIntegerField": (-(2**31), 2**31 - 1),
}


class DatabaseOperations(operations.DatabaseOperations):
    def adapt_integerfield_value(self, value: Any, internal_type: str) -> Any:
        bounds = _RANGES.get(internal_type)
        if bounds and value is not None and not hasattr(value, "resolve_expression"):
            low, high = bounds
            if not low <= int(value) <= high:
                raise DataError(f"{value} is out of range for a {internal_type} column.")
        return super().adapt_integerfield_value(value, internal_type)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
