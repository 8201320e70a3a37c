""" "Now" and "today" in a named zone: code never asks for a local date without saying whose.

A date such as "accepted on" or "closed on" is the org's calendar day, which differs from the
UTC day for hours each night; asking the active zone (UTC outside a request) gets it wrong.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from django.utils import timezone


class HasTimeZone(Protocol):
    time_zone: str


Zoned = str | ZoneInfo | HasTimeZone


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_of(where: Zoned) -> ZoneInfo:
    """The zone of an org (anything with `time_zone`), a zone name, or a zone itself."""
    if isinstance(where, ZoneInfo):
        return where
    return _zone(where if isinstance(where, str) else where.time_zone)


def local_now(where: Zoned, now: datetime | None = None) -> datetime:
    """`now` (default: the clock) as wall time in `where`'s zone."""
    return (now or timezone.now()).astimezone(zone_of(where))


def local_today(where: Zoned, now: datetime | None = None) -> date:
    """The calendar day it is in `where`'s zone at `now` (default: the clock)."""
    return local_now(where, now).date()
