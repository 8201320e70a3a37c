"""Pages: management of a deal."""

from __future__ import annotations

urlpatterns: list = []
