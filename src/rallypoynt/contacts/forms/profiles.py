"""The buyer and seller profile form of the contact page (one per side, prefixed by it)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms

from rallypoynt.contacts.choices import PropertyType, Timeframe
from rallypoynt.contacts.models import ClientProfile
from rallypoynt.contacts.services.profiles import (
    AREA_LENGTH,
    AREAS_MAX,
    BEDROOMS_MAX,
    FEATURE_LENGTH,
    FEATURES_MAX,
    LENDER_LENGTH,
    MOTIVATION_LENGTH,
    ProfileData,
)
from rallypoynt.core.forms import AmountField, ServiceForm, choice, text, whole_number

LIST_FIELDS = ("areas", "must_haves", "nice_to_haves")
# A box of entries holds at most this much (the service then bounds each entry and the count).
BOX_LENGTH = 10_000


def _box(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=BOX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _entries(text: str, *, commas: bool) -> list[str]:
    parts = re.split(r"[\n,;]" if commas else r"[\n;]", text)
    return [part.strip() for part in parts if part.strip()]


class ClientProfileForm(ServiceForm):
    """What a buyer wants (or a seller offers): the page's words, the service's bounds."""

    price_min = AmountField(label="Lowest price")
    price_max = AmountField(label="Top price")
    areas = _box(
        "Areas",
        f"Cities, neighbourhoods or ZIP codes, separated by commas (up to {AREAS_MAX}, "
        f"{AREA_LENGTH} characters each).",
    )
    property_types = forms.MultipleChoiceField(
        label="Property types",
        choices=PropertyType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose among the types offered."},
    )
    bedrooms_min = whole_number("Bedrooms (at least)", low=0, high=BEDROOMS_MAX, required=False)
    bathrooms_min = forms.DecimalField(
        label="Bathrooms (at least)",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(20),
        max_digits=3,
        decimal_places=1,
        error_messages={
            "invalid": "Enter a number of bathrooms, e.g. 2 or 2.5.",
            "min_value": "Enter a number from 0 to 20.",
            "max_value": "Enter a number from 0 to 20.",
            "max_digits": "Enter a number from 0 to 20.",
            "max_whole_digits": "Enter a number from 0 to 20.",
            "max_decimal_places": "Enter whole or half bathrooms, e.g. 2.5.",
        },
    )
    timeframe = choice("Timeframe", Timeframe.choices, required=False)
    is_preapproved = forms.BooleanField(label="Pre-approved for a mortgage", required=False)
    preapproved_amount = AmountField(label="Pre-approved up to")
    lender = text("Lender", LENDER_LENGTH)
    motivation = text(
        "Motivation",
        MOTIVATION_LENGTH,
        help_text="Why they are moving, and why now.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    must_haves = _box(
        "Must-haves", f"One per line (up to {FEATURES_MAX}, {FEATURE_LENGTH} characters each)."
    )
    nice_to_haves = _box("Nice-to-haves", "One per line.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", "Enter a top price at least the lowest price.")
        if not data.get("is_preapproved"):
            for name in ("preapproved_amount", "lender"):
                if data.get(name):
                    self.add_error(name, "Tick “Pre-approved” first, or leave this empty.")
        return data

    def profile_data(self) -> ProfileData:
        data = dict(self.cleaned_data)
        for name in LIST_FIELDS:
            data[name] = _entries(data[name] or "", commas=name == "areas")
        return ProfileData(**data)


def profile_initial(profile: ClientProfile | None) -> dict[str, Any]:
    """The form's initial values from a stored profile (empty for a new one)."""
    if profile is None:
        return {}
    initial = {
        name: getattr(profile, name)
        for name in ClientProfileForm.base_fields
        if name not in LIST_FIELDS
    }
    initial["areas"] = ", ".join(profile.areas)
    initial["must_haves"] = "\n".join(profile.must_haves)
    initial["nice_to_haves"] = "\n".join(profile.nice_to_haves)
    return initial
