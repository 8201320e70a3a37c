"""Amounts as people read them: "$1,250,000" (whole dollars, thousands separated)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def money_text(value: Any) -> str:
    """Whole dollars with thousands separators; empty for no value or a value that is none."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"${amount:,.0f}"
