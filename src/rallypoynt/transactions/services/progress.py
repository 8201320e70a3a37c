"""Progress updates: the agent's note with a snapshot of where the deal stands, kept on the
deal and, when asked, e-mailed to the clients (once, after the write commits)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.jobs import enqueue_on_commit
from rallypoynt.core.mail import idempotent_headers
from rallypoynt.core.timefmt import day_text
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import CLIENT_ROLES
from rallypoynt.transactions.models import Deal, Party, ProgressUpdate
from rallypoynt.transactions.selectors import progress_snapshot
from rallypoynt.transactions.services.deal_lock import deal_for_update
from rallypoynt.transactions.services.journey_link import journeys_follow

MAX_NOTE = 5000


def progress_recipients(deal: Deal) -> list[dict[str, str]]:
    """The clients (buyer and seller parties) to write to: the party's own e-mail, else its
    contact's primary one; a do-not-contact contact is left out."""
    parties = (
        Party.objects.filter(org_id=deal.org_id, deal=deal, role__in=CLIENT_ROLES)
        .select_related("contact")
        .prefetch_related("contact__emails")
        .order_by("pk")
    )
    found: dict[str, dict[str, str]] = {}
    for party in parties:
        contact = party.contact
        if contact is not None and contact.is_do_not_contact:
            continue
        address = party.email
        if not address and contact is not None:
            emails = sorted(contact.emails.all(), key=lambda e: (not e.is_primary, e.pk))
            address = emails[0].address if emails else ""
        if address:
            found.setdefault(address.lower(), {"name": party.name, "email": address})
    return list(found.values())


@transaction.atomic
def progress_update_post(
    *, actor: Membership, deal_id: int, note: str, send: bool = False
) -> ProgressUpdate:
    """Keep a progress update with a snapshot of the deal; with `send`, e-mail the clients."""
    deal = deal_for_update(actor, deal_id)
    note = note.strip()
    if not note or len(note) > MAX_NOTE:
        raise ValidationFailed(
            "Write the update.", fields={"note": [f"a text of 1 to {MAX_NOTE} characters"]}
        )
    recipients = progress_recipients(deal) if send else []
    if send and not recipients:
        raise ValidationFailed(
            "Nobody to send it to.",
            fields={"send": ["no buyer or seller on this deal has an e-mail address"]},
        )
    row = ProgressUpdate.objects.create(
        org_id=deal.org_id,
        deal=deal,
        author=actor,
        note=note,
        snapshot=progress_snapshot(deal=deal),
        recipients=recipients,
    )
    event = audit_and_emit(
        org_id=deal.org_id,
        actor_id=actor.user_id,
        action="progress_update.post",
        target=row,
        kind="progress_update.posted",
        payload={"deal_id": deal.pk, "recipients": len(recipients)},
    )
    if recipients:
        enqueue_on_commit(progress_update_email, row.pk)
    journeys_follow(deal, event)
    return row


def _day(value: str | None) -> str:
    if not value:
        return "not set"
    return day_text(date.fromisoformat(value), year=True)


def progress_email_text(update: ProgressUpdate, name: str) -> str:
    """The e-mail's plain text: the note, then where things stand, in a client's words."""
    snap: dict[str, Any] = update.snapshot
    dates = snap.get("dates", {})
    lines = [f"Hello {name}," if name else "Hello,", "", update.note, "", "-" * 40]
    lines += [f"Where things stand: {snap.get('property', update.deal)}", ""]
    lines.append(f"Status: {snap.get('status_label', '')}")
    lines.append(f"Contract accepted: {_day(dates.get('accepted_on'))}")
    closing = f"Closing: {_day(dates.get('closing_on'))}"
    days = snap.get("days_to_closing")
    if days is not None and days >= 0:
        closing += f" ({days} day{'s' if days != 1 else ''} to go)"
    lines += [closing, ""]
    deadlines = snap.get("deadlines", {})
    if deadlines.get("next"):
        lines.append("Coming up:")
        lines += [f"  - {d['name']}: {_day(d['due_on'])}" for d in deadlines["next"]]
    if deadlines.get("open") or deadlines.get("resolved"):
        lines.append(f"Deadlines met: {deadlines['resolved']}; still open: {deadlines['open']}")
    for group in snap.get("checklists", []):
        lines.append(f"{group['label']}: {group['done']} of {group['total']} done")
    issues = snap.get("issues", {})
    if issues.get("open"):
        lines += ["", f"Being worked on ({issues['open']}):"]
        lines += [f"  - {i['title']}" for i in issues.get("titles", [])]
    author = update.author.user if update.author else None
    lines += ["", "Questions? Just reply to this e-mail.", ""]
    if author is not None:
        lines.append(str(author))
    lines.append(update.org.display_name)
    return "\n".join(lines) + "\n"


def progress_update_send(*, update_id: int) -> bool:
    """E-mail an update to its recipients once; a second run finds it sent and does nothing."""
    # Claim, send, mark: a run that died after sending is reclaimed and sends the same
    # messages again (stable Message-IDs), never none.
    update = (
        ProgressUpdate.objects.select_related("org", "deal", "author__user")
        .filter(pk=update_id, sent_at__isnull=True)
        .first()
    )
    if update is None or not update.recipients:
        return False
    reply_to = [update.author.user.email] if update.author else []
    subject = f"[{update.org.display_name}] Update on {update.deal}"
    messages = [
        EmailMessage(
            subject=subject,
            body=progress_email_text(update, person.get("name", "")),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person["email"]],
            reply_to=reply_to,
            headers=idempotent_headers(f"progress-{update.pk}-{n}", update.org.slug),
        )
        for n, person in enumerate(update.recipients)
    ]
    # One message per client: the buyer and the seller never see each other's address.
    get_connection().send_messages(messages)
    marked = ProgressUpdate.objects.filter(pk=update.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), updated_at=timezone.now()
    )
    return bool(marked)


@task()
def progress_update_email(update_id: int) -> bool:
    """Background job: send a progress update's e-mails (safe to run twice)."""
    return progress_update_send(update_id=update_id)
