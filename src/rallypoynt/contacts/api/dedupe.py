"""API: dedupe."""

from ninja import Router

router = Router(tags=["contacts"])
