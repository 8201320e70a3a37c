"""API: imports."""

from ninja import Router

router = Router(tags=["contacts"])
