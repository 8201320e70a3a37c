"""Client profiles: what a client wants to buy or sell, as structured needs that saved
searches and metrics read (one per contact and side)."""

from __future__ import annotations

from django.db import models

from rallypoynt.contacts.choices import ProfileSide, PropertyType, Timeframe
from rallypoynt.core.models import TenantModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class ClientProfile(TenantModel):
    """A buyer's or seller's needs: price range, areas, property types, size, timeframe,
    financing, motivation and features. `completed_at` is when the essentials were first
    all there (a completed profile stands for the journey's needs assessment)."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="client_profiles"
    )
    side = models.CharField(max_length=4, choices=ProfileSide.choices)
    price_min = models.DecimalField(null=True, blank=True, **MONEY)
    price_max = models.DecimalField(null=True, blank=True, **MONEY)
    # Cities, neighbourhoods or ZIP codes, as the client names them.
    areas = models.JSONField(default=list, blank=True)
    # PropertyType values.
    property_types = models.JSONField(default=list, blank=True)
    bedrooms_min = models.PositiveSmallIntegerField(null=True, blank=True)
    bathrooms_min = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    timeframe = models.CharField(
        max_length=10, choices=Timeframe.choices, default=Timeframe.NONE, blank=True
    )
    is_preapproved = models.BooleanField(default=False)
    preapproved_amount = models.DecimalField(null=True, blank=True, **MONEY)
    lender = models.CharField(max_length=200, blank=True)
    motivation = models.TextField(blank=True)
    must_haves = models.JSONField(default=list, blank=True)
    nice_to_haves = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "contact", "side", name="clientprofile_uniq"),
        ]
        indexes = [
            # Saved searches and metrics read an org's profiles by side.
            models.Index(fields=["org", "side", "timeframe"], name="clientprofile_org_side"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} profile of {self.contact}"

    def property_type_labels(self) -> list[str]:
        return [PropertyType(t).label for t in self.property_types if t in PropertyType.values]

    def essentials_missing(self) -> list[str]:
        """What the profile still lacks to be complete: a buyer's top price, an area and a
        timeframe; a seller's price and timeframe (in the page's words)."""
        missing = []
        if self.side == ProfileSide.BUY:
            if self.price_max is None:
                missing.append("top price")
            if not self.areas:
                missing.append("an area")
        elif self.price_min is None and self.price_max is None:
            missing.append("a price")
        if not self.timeframe:
            missing.append("timeframe")
        return missing
