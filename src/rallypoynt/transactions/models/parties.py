"""The people and companies on a deal, each with a role: the team contact list."""

from __future__ import annotations

from django.db import models

from rallypoynt.core.models import TenantModel
from rallypoynt.transactions.choices import PartyRole


class Party(TenantModel):
    """A buyer, seller, agent, lender, title officer... on a deal.

    A party is a CRM contact, a member of the org (who then sees the deal: the deal
    coordinator), or only a name and details (a co-op agent, who never logs in here)."""

    deal = models.ForeignKey("transactions.Deal", on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=24, choices=PartyRole.choices)
    side = models.CharField(max_length=4, blank=True)  # buy | sell | "" for both / neutral
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=200)
    company = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    license_number = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "deal", "role"], name="party_org_deal"),
            models.Index(fields=["org", "member"], name="party_org_member"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"
