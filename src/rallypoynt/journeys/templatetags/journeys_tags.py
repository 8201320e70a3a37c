"""Template filters for journeys pages."""

from __future__ import annotations

from django import template

from rallypoynt.orgs.choices import Role

register = template.Library()
_LABELS = dict(Role.choices)


@register.filter
def role_label(code: str) -> str:
    """A role code as people read it: "transaction_coordinator" -> "Transaction coordinator"."""
    return str(_LABELS.get(code, code.replace("_", " ")))


@register.filter
def get_item(mapping: dict, key: str):
    """`mapping[key]` in a template (None when absent)."""
    return mapping.get(key) if mapping else None
