"""Per-process cache of an org's slowly changing configuration, keyed by the org's stamp.

Hot paths (lead intake) need the same routing rules, teams and business calendar for every
lead. Each web process keeps what it built per org; any write to a watched model gives the
org a fresh random `config_stamp`, and the next reader of the org row sees a stamp its cache
does not hold and rebuilds. Random, not a counter: an `Organization.save()` from a stale
instance could otherwise restore an old number whose cached configuration is out of date.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.db import models
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
MAX_ENTRIES = 1024

_entries: OrderedDict[tuple[int, str], tuple[Hashable, object]] = OrderedDict()
_lock = threading.Lock()


def new_config_stamp() -> int:
    """A random 62-bit stamp: never equal to one a process could have cached."""
    return secrets.randbits(62)


def org_cached(*, org_id: int, stamp: Hashable, key: str, build: Callable[[], T]) -> T:
    """`build()`'s value for this org and stamp, built at most once per process and stamp.

    The value is shared between requests and threads: treat it as read-only.
    """
    with _lock:
        found = _entries.get((org_id, key))
        if found is not None and found[0] == stamp:
            _entries.move_to_end((org_id, key))
            return found[1]  # type: ignore[return-value]
    value = build()
    with _lock:
        _entries[(org_id, key)] = (stamp, value)
        _entries.move_to_end((org_id, key))
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def org_cache_clear() -> None:
    """Forget everything (tests; a process that wants a cold start)."""
    with _lock:
        _entries.clear()


def org_config_changed(org_id: int | None) -> None:
    """Give the org a fresh stamp, in the caller's transaction (so readers of the old
    configuration keep their cache until the change commits)."""
    if org_id is None:
        return
    from rallypoynt.orgs.models import Organization

    Organization.objects.filter(pk=org_id).update(config_stamp=new_config_stamp())


def _on_row_change(sender, instance, **kwargs) -> None:
    org_id = instance.pk if sender.__name__ == "Organization" else instance.org_id
    update_fields = kwargs.get("update_fields")
    if (
        sender.__name__ == "Organization"
        and update_fields
        and set(update_fields) == {"config_stamp"}
    ):
        return
    org_config_changed(org_id)


def config_watch(*watched: type[models.Model]) -> None:
    """Renew the org's stamp whenever a row of these models is saved or deleted.

    Signals do not fire for `bulk_create`, `bulk_update` or `QuerySet.update`: a service
    that changes watched rows that way calls `org_config_changed` itself.
    """
    for model in watched:
        uid = f"org-config-{model._meta.label_lower}"
        post_save.connect(_on_row_change, sender=model, dispatch_uid=uid + "-save", weak=False)
        post_delete.connect(_on_row_change, sender=model, dispatch_uid=uid + "-del", weak=False)


def user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """A renamed or deactivated user changes the names routing writes in its reasons."""
    if update_fields and set(update_fields) <= {"last_login", "password"}:
        return
    from rallypoynt.orgs.models import Membership, Organization

    org_ids = Membership.objects.filter(user=instance).values("org_id")
    Organization.objects.filter(pk__in=org_ids).update(config_stamp=new_config_stamp())
