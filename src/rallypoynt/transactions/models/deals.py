"""A deal: its property, prices, earnest money and key dates, and the engagements it serves."""

from __future__ import annotations

from django.db import models

from rallypoynt.core.models import TenantModel
from rallypoynt.transactions.choices import DealKind, DealStatus

# null=True is spelled at each field: django-stubs type a field nullable only from there.
MONEY = {"max_digits": 14, "decimal_places": 2}


class Deal(TenantModel):
    """One deal on one property; both sides' engagements link to it in dual agency."""

    kind = models.CharField(max_length=10, choices=DealKind.choices)
    status = models.CharField(max_length=16, choices=DealStatus.choices, default=DealStatus.OFFER)
    terminated_reason = models.TextField(blank=True)
    # The property: a plain address until the property database links a listing.
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    mls_number = models.CharField(max_length=40, blank=True)
    list_price = models.DecimalField(null=True, blank=True, **MONEY)
    offer_price = models.DecimalField(null=True, blank=True, **MONEY)
    contract_price = models.DecimalField(null=True, blank=True, **MONEY)
    final_price = models.DecimalField(null=True, blank=True, **MONEY)
    earnest_money = models.DecimalField(null=True, blank=True, **MONEY)
    earnest_money_due_on = models.DateField(null=True, blank=True)
    earnest_money_received_on = models.DateField(null=True, blank=True)
    offer_on = models.DateField(null=True, blank=True)
    accepted_on = models.DateField(null=True, blank=True)
    closing_on = models.DateField(null=True, blank=True)
    possession_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    terminated_on = models.DateField(null=True, blank=True)
    engagements = models.ManyToManyField(
        "journeys.Engagement", through="transactions.DealEngagement", related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["org", "status", "closing_on"], name="deal_org_status"),
        ]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.street, self.city) if part)


class DealEngagement(TenantModel):
    """An engagement this deal serves, and the side it is on."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="sides")
    engagement = models.ForeignKey(
        "journeys.Engagement", on_delete=models.CASCADE, related_name="deal_sides"
    )
    side = models.CharField(max_length=4)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "deal", "engagement", name="dealengagement_uniq"),
        ]
        indexes = [models.Index(fields=["org", "engagement"], name="dealengagement_eng")]
