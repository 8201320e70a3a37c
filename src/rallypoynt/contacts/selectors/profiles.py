"""Reads of client profiles: a contact's buyer and seller needs, for those who see it."""

from __future__ import annotations

from rallypoynt.contacts.models import ClientProfile
from rallypoynt.contacts.selectors.people import contact_queryset
from rallypoynt.orgs.models import Membership


def client_profiles_of(*, actor: Membership, contact_id: int) -> list[ClientProfile]:
    """The contact's profiles (buyer first), none when the actor may not see the contact."""
    visible = contact_queryset(actor=actor).filter(pk=contact_id)
    rows = ClientProfile.objects.filter(
        org_id=actor.org_id, contact_id=contact_id, contact__in=visible
    )
    return list(rows.order_by("side"))
