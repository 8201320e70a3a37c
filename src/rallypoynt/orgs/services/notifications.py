"""In-app notifications to members, e-mailed through the job queue after commit."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rallypoynt.core.errors import NotFound
from rallypoynt.core.jobs import enqueue_on_commit
from rallypoynt.orgs.models import Membership, Notification
from rallypoynt.orgs.selectors import notification_list


def notification_send(
    *,
    recipient: Membership,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    email: bool = True,
) -> Notification:
    """Store a notification for `recipient` and queue its e-mail to go once this commits."""
    notification = Notification.objects.create(
        org_id=recipient.org_id,
        recipient=recipient,
        kind=kind,
        title=title[:200],
        body=body,
        link=link[:300],
    )
    if email:
        from rallypoynt.orgs.tasks import notification_email

        enqueue_on_commit(notification_email, notification.pk)
    return notification


@transaction.atomic
def notification_mark_read(*, actor: Membership, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of the actor as read."""
    qs = Notification.objects.filter(org_id=actor.org_id, recipient=actor, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
        if not qs.exists():
            raise NotFound("No such unread notification.")
    return qs.update(read_at=timezone.now())


def notification_read(*, actor: Membership, notification_id: int) -> Notification:
    """Mark the actor's notification read (already read is fine); NotFound for anyone else's."""
    found = notification_list(actor=actor).filter(pk=notification_id).first()
    if found is None:
        raise NotFound("No such notification.")
    if found.read_at is None:
        notification_mark_read(actor=actor, notification_id=found.pk)
        found.refresh_from_db(fields=["read_at"])
    return found
