"""Lead e-mails: ingest a raw RFC 5322 message as a lead, or keep it for review with the reason.

Reading the message (RELM 1.0 meta tags, plain-text layouts) is in lead_email_parse.py.
"""

from __future__ import annotations

import logging
from typing import Any

from rallypoynt.contacts.choices import Channel
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.leads.services.email_parse import (
    KEPT_FOR_REVIEW,
    LeadEmailParse,
    lead_email_parse,
    raw_text,
)
from rallypoynt.leads.services.idempotency import (
    MAX_KEY_LENGTH,
    IdempotentAnswer,
    idempotency_run,
    request_fingerprint,
)
from rallypoynt.leads.services.intake import lead_intake
from rallypoynt.leads.services.review import review_item_create
from rallypoynt.orgs.models import Membership

logger = logging.getLogger(__name__)


def _ingest(
    *, org_id: int, raw: bytes, parsed: LeadEmailParse, actor: Membership | None
) -> tuple[int, dict[str, Any]]:
    reason = parsed.reason
    if parsed.lead is not None:
        try:
            return 201, lead_intake(org_id=org_id, lead=parsed.lead, actor=actor).as_response()
        except ValidationFailed as exc:
            details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
            reason = f"{exc.message} {details}".strip()
    item = review_item_create(
        org_id=org_id,
        channel=Channel.EMAIL,
        subject=parsed.subject,
        sender=parsed.sender,
        raw=raw_text(raw),
        reason=reason,
    )
    body = {
        "error": {
            "code": KEPT_FOR_REVIEW,
            "message": "The message is not a lead we can read; it is kept in the review queue.",
            "fields": {"message": [reason]},
        },
        "review_item_id": item.pk,
    }
    return 422, body


def _message_key(message_id: str) -> str:
    if len(message_id) <= MAX_KEY_LENGTH and message_id.isprintable():
        return message_id
    return request_fingerprint(message_id.encode())


def lead_email_ingest(
    *,
    org_id: int,
    raw: bytes,
    actor: Membership | None = None,
    idempotency_key: str | None = None,
) -> IdempotentAnswer:
    """Turn a raw message into a lead (201) or a review item (422); nothing is dropped.

    The caller's Idempotency-Key, else the Message-ID, makes a redelivered message replay
    the first answer instead of creating a second inquiry. Parsing happens before any
    transaction starts, so the write lock is held only for the writes.
    """
    parsed = lead_email_parse(raw)

    def call() -> tuple[int, dict[str, Any]]:
        return _ingest(org_id=org_id, raw=raw, parsed=parsed, actor=actor)

    if idempotency_key:
        scope, key, digest = "leads.email", idempotency_key, request_fingerprint(raw)
    elif parsed.message_id:
        # Relays add headers, so a redelivery differs in bytes: the Message-ID is the identity.
        scope, key = "leads.email.message_id", _message_key(parsed.message_id)
        digest = request_fingerprint(parsed.message_id.encode())
    else:
        status_code, body = call()
        return IdempotentAnswer(status_code, body, is_replay=False)
    return idempotency_run(org_id=org_id, scope=scope, key=key, request_hash=digest, call=call)
