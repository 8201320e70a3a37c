"""Background jobs for orgs: notification e-mails."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from rallypoynt.core.mail import idempotent_headers
from rallypoynt.core.timefmt import reader_zone
from rallypoynt.orgs.models import Notification


@task()
def notification_email(notification_id: int) -> bool:
    """E-mail a notification once: claim, send, then mark. A run that died after the send is
    reclaimed and sends the same message again (a stable Message-ID), never none."""
    notification = (
        Notification.objects.select_related("recipient__user", "org")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.recipient.is_active:
        return False
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{notification.link}".strip()
    # A worker runs in UTC: anything rendered for this message reads the recipient's clock.
    with timezone.override(reader_zone(notification.recipient, notification.org)):
        EmailMessage(
            subject=f"[{notification.org.display_name}] {notification.title}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient.user.email],
            headers=idempotent_headers(f"notification-{notification.pk}", notification.org.slug),
        ).send()
    with transaction.atomic():
        marked = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
    return bool(marked)
