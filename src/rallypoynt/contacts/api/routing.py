"""API: routing."""

from ninja import Router

router = Router(tags=["contacts"])
