"""API: management of a transaction."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["management"])
