"""Offers: one chain per buyer on a deal, each counteroffer a new version with full terms."""

from __future__ import annotations

from django.db import models

from rallypoynt.core.models import TenantModel
from rallypoynt.transactions.choices import Financing, OfferStatus

# null=True is spelled at each field: django-stubs type a field nullable only from there.
MONEY = {"max_digits": 14, "decimal_places": 2}


class Offer(TenantModel):
    """A buyer's offer on the deal's property and the counteroffers that answer it."""

    deal = models.ForeignKey("transactions.Deal", on_delete=models.CASCADE, related_name="offers")
    buyer_name = models.CharField(max_length=200)
    buyer_agent = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT)

    class Meta:
        indexes = [models.Index(fields=["org", "deal", "status"], name="offer_org_deal")]

    def __str__(self) -> str:
        return f"Offer from {self.buyer_name}"


class OfferVersion(TenantModel):
    """One proposal in the chain (the first offer, or a counter by either side)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    proposed_by = models.CharField(max_length=4)  # buy | sell
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    price = models.DecimalField(max_digits=14, decimal_places=2)
    earnest_money = models.DecimalField(null=True, blank=True, **MONEY)
    financing = models.CharField(
        max_length=12, choices=Financing.choices, default=Financing.CONVENTIONAL
    )
    down_payment = models.DecimalField(null=True, blank=True, **MONEY)
    # [{"kind": "inspection", "days": 10, "day_type": "calendar"}, ...]
    contingencies = models.JSONField(default=list, blank=True)
    closing_on = models.DateField(null=True, blank=True)
    seller_concessions = models.DecimalField(null=True, blank=True, **MONEY)
    inclusions = models.TextField(blank=True)
    exclusions = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "offer", "number", name="offerversion_uniq"),
        ]
        indexes = [models.Index(fields=["org", "status", "expires_at"], name="offerversion_expiry")]
