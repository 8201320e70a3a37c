"""API: leads."""

from ninja import Router

router = Router(tags=["contacts"])
