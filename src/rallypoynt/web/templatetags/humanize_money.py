"""Template filters for amounts: `{{ value|money }}` gives "$1,250,000"."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value) -> str:
    """Whole dollars with thousands separators; empty for no value."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"${amount:,.0f}"
