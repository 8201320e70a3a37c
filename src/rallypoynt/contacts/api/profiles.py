"""API: a contact's buyer and seller profiles (structured needs saved searches and metrics
read). A contact the caller may not see answers like a missing one (404)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Router, Schema

from rallypoynt.contacts.choices import PropertyType, Timeframe
from rallypoynt.contacts.selectors import client_profiles_of, contact_get
from rallypoynt.contacts.services.profiles import (
    AREA_LENGTH,
    AREAS_MAX,
    BEDROOMS_MAX,
    FEATURE_LENGTH,
    FEATURES_MAX,
    LENDER_LENGTH,
    MOTIVATION_LENGTH,
    ProfileData,
    client_profile_set,
)
from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import Int64, Money
from rallypoynt.core.errors import NotFound

router = Router(tags=["contacts"])

Side = Literal["buy", "sell"]
Price = Annotated[Money, Field(ge=0)]
Bathrooms = Annotated[
    Decimal, Field(ge=0, le=20, max_digits=3, decimal_places=1, allow_inf_nan=False)
]
Area = Annotated[str, Field(max_length=AREA_LENGTH)]
Feature = Annotated[str, Field(max_length=FEATURE_LENGTH)]
PropertyTypeValue = Literal[tuple(PropertyType.values)]  # type: ignore[valid-type]
TimeframeValue = Literal[tuple(Timeframe.values)]  # type: ignore[valid-type]


class ClientProfileIn(Schema):
    """The whole profile: what is left out is cleared."""

    price_min: Price | None = None
    price_max: Price | None = Field(None, description="At least price_min.")
    areas: list[Area] = Field(
        [], max_length=AREAS_MAX, description="Cities, neighbourhoods or ZIP codes."
    )
    property_types: list[PropertyTypeValue] = Field([], max_length=len(PropertyType))
    bedrooms_min: int | None = Field(None, ge=0, le=BEDROOMS_MAX)
    bathrooms_min: Bathrooms | None = None
    timeframe: TimeframeValue = Field("", description="Empty: not known yet.")
    is_preapproved: bool = False
    preapproved_amount: Price | None = Field(None, description="Only when pre-approved.")
    lender: str = Field("", max_length=LENDER_LENGTH, description="Only when pre-approved.")
    motivation: str = Field("", max_length=MOTIVATION_LENGTH)
    must_haves: list[Feature] = Field([], max_length=FEATURES_MAX)
    nice_to_haves: list[Feature] = Field([], max_length=FEATURES_MAX)


class ClientProfileOut(Schema):
    side: str
    price_min: Decimal | None
    price_max: Decimal | None
    areas: list[str]
    property_types: list[str]
    bedrooms_min: int | None
    bathrooms_min: Decimal | None
    timeframe: str
    is_preapproved: bool
    preapproved_amount: Decimal | None
    lender: str
    motivation: str
    must_haves: list[str]
    nice_to_haves: list[str]
    is_complete: bool = Field(description="The essentials are all there.")
    completed_at: datetime | None = Field(description="When the essentials were first all there.")
    updated_at: datetime

    @staticmethod
    def resolve_is_complete(profile) -> bool:
        return not profile.essentials_missing()


@router.get("/contacts/{contact_id}/profiles", response={200: list[ClientProfileOut], **ERRORS})
def client_profiles_list_endpoint(request, contact_id: Int64):
    """The contact's buyer and seller profiles (those filled in), buyer first."""
    if contact_get(actor=request.auth, contact_id=contact_id) is None:
        raise NotFound("No such contact.")
    return client_profiles_of(actor=request.auth, contact_id=contact_id)


@router.put("/contacts/{contact_id}/profiles/{side}", response={200: ClientProfileOut, **ERRORS})
def client_profile_put_endpoint(request, contact_id: Int64, side: Side, payload: ClientProfileIn):
    """Set the contact's buyer (`buy`) or seller (`sell`) profile as a whole."""
    return client_profile_set(
        actor=request.auth,
        contact_id=contact_id,
        side=side,
        data=ProfileData(**payload.dict()),
    )
