"""An SMTP server (aiosmtpd) that takes in every message it receives as a lead e-mail.

The recipient chooses the org: its +tag or its local part is the org's slug
(`leads+demo@…` or `demo@…`); an unknown one is refused with 550 unless a default org is set.
"""

from __future__ import annotations

import functools
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import connections

from rallypoynt.leads.services.email_intake import lead_email_ingest
from rallypoynt.leads.services.email_parse import LEAD_EMAIL_MAX_BYTES
from rallypoynt.leads.services.idempotency import IdempotentAnswer
from rallypoynt.orgs.models import Organization

logger = logging.getLogger(__name__)

Report = Callable[[str], None]


def slug_candidates(address: str) -> list[str]:
    """Slugs a recipient may name, most specific first: +tag, whole local part, base."""
    local = address.rpartition("@")[0] if "@" in address else address
    local = local.strip().strip('<>"').lower()
    base, _, tag = local.partition("+")
    return [s for s in dict.fromkeys((tag, local, base)) if s]


def org_for_recipient(address: str, default_slug: str | None = None) -> Organization | None:
    """The org a recipient names, else the default org, else None."""
    candidates = slug_candidates(address)
    found = {o.slug: o for o in Organization.objects.filter(slug__in=candidates)}
    for slug in candidates:
        if slug in found:
            return found[slug]
    if default_slug:
        return Organization.objects.filter(slug=default_slug).first()
    return None


def _org_id(address: str, default_slug: str | None) -> int | None:
    org = org_for_recipient(address, default_slug)
    return org.pk if org else None


def _fresh_connections(func):
    """Close connections after `func`, so a long-lived server never holds a stale one."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            connections.close_all()

    return wrapper


def _outcome(org_id: int, answer: IdempotentAnswer) -> str:
    if answer.status_code == 201:
        what = f"inquiry {answer.body['inquiry_id']}"
    else:
        what = f"review item {answer.body['review_item_id']}"
    return f"org {org_id}: {what}" + (" (already received)" if answer.is_replay else "")


@dataclass
class LeadMailHandler:
    """aiosmtpd handler: RCPT checks the org, DATA ingests the message into each org."""

    default_slug: str | None = None
    report: Report | None = None

    @_fresh_connections
    def recipient_org_id(self, address: str) -> int | None:
        return _org_id(address, self.default_slug)

    @_fresh_connections
    def ingest(self, raw: bytes, recipients: list[str]) -> list[str]:
        """Ingest the message once into each org its recipients name."""
        org_ids = dict.fromkeys(_org_id(r, self.default_slug) for r in recipients)
        return [
            _outcome(org_id, lead_email_ingest(org_id=org_id, raw=raw))
            for org_id in org_ids
            if org_id is not None
        ]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if await sync_to_async(self.recipient_org_id)(address) is None:
            return "550 5.1.1 No organization takes lead e-mail at this address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content or b""
        try:
            lines = await sync_to_async(self.ingest)(raw, list(envelope.rcpt_tos))
        except Exception:
            # A database outage must not lose the lead: a 4xx makes the sender try again.
            logger.exception("lead e-mail from %s could not be stored", envelope.mail_from)
            return "451 4.3.0 Could not store the message now; please try again later"
        text = f"message from {envelope.mail_from}: " + "; ".join(lines)
        logger.info(text)
        if self.report is not None:
            self.report(text)
        return "250 2.0.0 Message accepted"


def smtpd_controller(
    *,
    host: str = "127.0.0.1",
    port: int = 2525,
    default_slug: str | None = None,
    report: Report | None = None,
) -> Controller:
    """A started-on-demand aiosmtpd Controller running the lead handler."""
    handler = LeadMailHandler(default_slug=default_slug, report=report)
    return Controller(
        handler,
        hostname=host,
        port=port,
        data_size_limit=LEAD_EMAIL_MAX_BYTES,
        enable_SMTPUTF8=True,
        ident="RallyPoynt OS lead intake",
    )


def smtpd_serve(
    *,
    host: str = "127.0.0.1",
    port: int = 2525,
    default_slug: str | None = None,
    report: Report | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM."""
    controller = smtpd_controller(host=host, port=port, default_slug=default_slug, report=report)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    controller.start()
    try:
        stop.wait()
    finally:
        controller.stop()
