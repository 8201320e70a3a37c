"""Forms of the deal pages: opening a deal and every button of the deal page. Each parses
and bounds what is typed; the services then check the deal's rules."""

from __future__ import annotations

from typing import Any

from django import forms

from rallypoynt.core.clock import local_today
from rallypoynt.core.forms import (
    AmountField,
    DayField,
    ServiceForm,
    choice,
    pick,
    text,
    whole_number,
)
from rallypoynt.journeys.selectors import engagement_list
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions.choices import (
    RESOLVED,
    Anchor,
    DeadlineKind,
    DeadlineStatus,
    DealKind,
    DealStatus,
    PartyRole,
)
from rallypoynt.transactions.domain import DayType, Roll
from rallypoynt.transactions.selectors import deadline_list, deal_offers, deal_parties

# The contingencies the offer form asks for, each as a `<kind>_days` field.
OFFER_FORM_CONTINGENCIES = ("inspection", "appraisal", "financing")
# A deadline is counted from acceptance or closing, before (negative) or after it.
DEADLINE_DAYS = 365
CONTINGENCY_DAYS = 365  # as the offer service allows
NOTE_MAX = 5000


class DealStatusForm(forms.Form):
    """The deal list's status tab and its "older deals" cursor (a GET filter)."""

    status = choice("Status", [("", "All"), *DealStatus.choices], required=False)
    cursor = forms.CharField(max_length=200, required=False)


class DealOpenForm(ServiceForm):
    """Open a deal for one of the engagements the agent works."""

    engagement_id = pick("Engagement", "the client's engagement")
    kind = choice("Kind", DealKind.choices)
    street = text("Street", 200, required=True)
    city = text("City", 100)
    state = text("State", 10)
    postal_code = text("ZIP code", 20)
    list_price = AmountField(label="List price")
    accepted_on = DayField(label="Acceptance date")
    closing_on = DayField(label="Closing date")

    def scoped(self) -> None:
        # Every engagement the agent may open a deal for, as the service allows.
        self.fields["engagement_id"].queryset = engagement_list(actor=self.actor)


class DeadlineForm(ServiceForm):
    """A contingency or milestone counted in days from acceptance or closing."""

    kind = choice("Kind", DeadlineKind.choices)
    amount = whole_number("Days", low=-DEADLINE_DAYS, high=DEADLINE_DAYS, unit="days")
    day_type = choice(
        "Counted in",
        [(DayType.CALENDAR, "calendar days"), (DayType.BUSINESS, "business days")],
        required=False,
    )
    anchor = choice(
        "From", [(Anchor.ACCEPTANCE, "acceptance"), (Anchor.CLOSING, "closing")], required=False
    )
    roll = choice(
        "On a weekend or holiday",
        [(r.value, r.value.replace("_", " ")) for r in Roll],
        required=False,
    )

    def clean_day_type(self) -> str:
        return self.cleaned_data["day_type"] or DayType.CALENDAR

    def clean_anchor(self) -> str:
        return self.cleaned_data["anchor"] or Anchor.ACCEPTANCE

    def clean_roll(self) -> str:
        return self.cleaned_data["roll"] or Roll.NEXT_BUSINESS_DAY


class ResolveForm(ServiceForm):
    """Remove (satisfy), waive or fail one of the deal's deadlines."""

    deadline_id = pick("Deadline", "a deadline of this deal")
    status = choice("Resolution", [(s.value, s.label) for s in DeadlineStatus if s in RESOLVED])

    def scoped(self) -> None:
        self.fields["deadline_id"].queryset = deadline_list(deal=self.scope)


class AmendForm(ServiceForm):
    """An amendment moving the acceptance or closing date (the reason is the service's)."""

    reason = text("Amendment", 300)
    accepted_on = DayField(label="Acceptance")
    closing_on = DayField(label="Closing")


class OfferForm(ServiceForm):
    """A buyer's offer: price, earnest money, closing date and contingency days."""

    buyer_name = text("Buyer", 200)
    price = AmountField(label="Price", required=True)
    earnest_money = AmountField(label="Earnest money")
    closing_on = DayField(label="Closing date")
    inspection_days = whole_number(
        "Inspection (days)", low=0, high=CONTINGENCY_DAYS, unit="days", required=False
    )
    appraisal_days = whole_number(
        "Appraisal (days)", low=0, high=CONTINGENCY_DAYS, unit="days", required=False
    )
    financing_days = whole_number(
        "Financing (days)", low=0, high=CONTINGENCY_DAYS, unit="days", required=False
    )

    def arguments(self) -> dict[str, Any]:
        """The buyer and the terms as `offer_create` takes them (a contingency per day count)."""
        data = self.cleaned_data
        return {
            "buyer_name": data["buyer_name"],
            "terms": {
                "price": data["price"],
                "earnest_money": data["earnest_money"],
                "closing_on": data["closing_on"],
                "contingencies": [
                    {"kind": kind, "days": data[f"{kind}_days"]}
                    for kind in OFFER_FORM_CONTINGENCIES
                    if data[f"{kind}_days"] is not None
                ],
            },
        }


class AcceptForm(ServiceForm):
    """Accept one of the deal's offers."""

    offer_id = pick("Offer", "an offer on this deal")

    def scoped(self) -> None:
        self.fields["offer_id"].queryset = deal_offers(deal=self.scope)


class PartyForm(ServiceForm):
    """Someone on the deal's team contact list: a member of ours or a named outsider."""

    role = choice("Role", PartyRole.choices)
    member_id = pick("A member of ours", "a member", required=False)
    name = text("Name", 200)
    company = text("Company", 200)
    email = text("E-mail", 254)  # checked (and normalized) by the service
    phone = text("Phone", 32)
    license_number = text("License number", 40)
    notes = text("Notes", 2000)

    def scoped(self) -> None:
        self.fields["member_id"].queryset = member_list(actor=self.actor).prefetch_related(None)


class PartyRemoveForm(ServiceForm):
    """Take someone off the deal's team contact list."""

    party_id = pick("Party", "someone on this deal")

    def scoped(self) -> None:
        self.fields["party_id"].queryset = deal_parties(deal=self.scope)


class CloseForm(ServiceForm):
    """Record the closing (the day left empty is today on the org's calendar)."""

    closed_on = DayField(label="Closed on")
    final_price = AmountField(label="Final price", required=True)
    possession_on = DayField(label="Possession")

    def clean_closed_on(self):
        # The org's today, not UTC's: late in the evening they differ.
        return self.cleaned_data["closed_on"] or local_today(self.actor.org)


class TerminateForm(ServiceForm):
    """End the contract, saying why (the service requires the reason)."""

    reason = text("Reason", 2000)
