"""Template filters for amounts: `{{ value|money }}` gives "$1,250,000"."""

from __future__ import annotations

from typing import Any

from django import template

from rallypoynt.core.amounts import money_text

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """Whole dollars with thousands separators; empty for no value."""
    return money_text(value)
