"""A person's e-mail and SMS consent and their do-not-contact wish."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rallypoynt.contacts.choices import Consent
from rallypoynt.contacts.models import Contact
from rallypoynt.core.audit import audit_and_emit, model_changes
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.orgs.models import Membership


@transaction.atomic
def contact_consent_set(
    *,
    actor: Membership | None,
    contact: Contact,
    email: str | None = None,
    sms: str | None = None,
    do_not_contact: bool | None = None,
) -> Contact:
    """Record the person's e-mail/SMS opt-in or opt-out and do-not-contact wish."""
    before = {f: getattr(contact, f) for f in ("email_consent", "sms_consent", "is_do_not_contact")}
    for name, value in (("email_consent", email), ("sms_consent", sms)):
        if value is not None:
            if value not in Consent.values:
                raise ValidationFailed(
                    "Invalid consent.", fields={name: [f"one of {', '.join(Consent.values)}"]}
                )
            setattr(contact, name, value)
    if do_not_contact is not None:
        contact.is_do_not_contact = do_not_contact
    contact.consent_updated_at = timezone.now()
    contact.save()
    diff = model_changes(contact, list(before), before)
    actor_user = actor.user_id if actor else None
    audit_and_emit(
        org_id=contact.org_id,
        actor_id=actor_user,
        action="contact.consent",
        target=contact,
        changes=diff,
        kind="contact.consent_changed",
        payload={k: v[1] for k, v in diff.items()},
    )
    return contact
