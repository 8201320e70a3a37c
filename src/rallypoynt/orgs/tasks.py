"""Background jobs for orgs: notification e-mails."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from rallypoynt.core.timefmt import reader_zone
from rallypoynt.orgs.models import Notification


@task()
def notification_email(notification_id: int) -> bool:
    """E-mail a notification once; a second run finds it sent and does nothing."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient__user", "org")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.is_active:
            return False
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{notification.link}".strip()
    # A worker runs in UTC: anything rendered for this message reads the recipient's clock.
    with timezone.override(reader_zone(notification.recipient, notification.org)):
        send_mail(
            subject=f"[{notification.org.display_name}] {notification.title}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.user.email],
        )
    return True
