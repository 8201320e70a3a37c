"""Forms of the commission pages: a deal side's commission, the statement's period, and the
split plans (their terms, and who is on which)."""

from __future__ import annotations

import calendar
from typing import Any

from django import forms

from rallypoynt.core.api.types import INT64_MAX
from rallypoynt.core.clock import local_today
from rallypoynt.core.forms import (
    AmountField,
    DayField,
    PercentField,
    ServiceForm,
    choice,
    pick,
    text,
    whole_number,
)
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions.selectors import deal_sides, split_plan_assignees, split_plan_choices
from rallypoynt.transactions.services.commission import CoAgent

MAX_CO_AGENTS = 10  # as the API
SIDE_LABELS = {"buy": "Buyer side", "sell": "Seller side"}


class CommissionForm(ServiceForm):
    """One side's commission: a rate or a flat amount, a referral, co-agents and shares."""

    side = choice("Side", [])
    rate_percent = PercentField(label="Rate (% of price)")
    flat_amount = AmountField(label="Flat amount")
    referral_percent = PercentField(label="Referral (% of gross)")
    referral_to = text("Referral to", 200)

    def scoped(self) -> None:
        self.fields["side"].choices = [(s, SIDE_LABELS[s]) for s in deal_sides(deal=self.scope)]
        members = member_list(actor=self.actor).prefetch_related(None)
        for n in range(1, MAX_CO_AGENTS + 1):
            self.fields[f"co_agent_{n}"] = pick(f"Co-agent {n}", "a member", required=False)
            self.fields[f"co_agent_{n}"].queryset = members
            self.fields[f"co_share_{n}"] = PercentField(label=f"Co-agent {n}'s share")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for n in range(1, MAX_CO_AGENTS + 1):
            if data.get(f"co_agent_{n}") and data.get(f"co_share_{n}") is None:
                self.add_error(f"co_share_{n}", "Give the co-agent a share of the side.")
        return data

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        co_agents = [
            CoAgent(data[f"co_agent_{n}"].pk, data[f"co_share_{n}"])
            for n in range(1, MAX_CO_AGENTS + 1)
            if data[f"co_agent_{n}"]
        ]
        return {
            "side": data["side"],
            "rate_percent": data["rate_percent"],
            "flat_amount": data["flat_amount"],
            "referral_percent": data["referral_percent"] or 0,
            "referral_to": data["referral_to"],
            "co_agents": co_agents,
        }


class StatementForm(forms.Form):
    """The statement's agent and period (a GET filter); the selector checks whose it is."""

    member = whole_number("Agent", low=1, high=INT64_MAX, required=False)
    start = DayField(label="From")
    end = DayField(label="To")
    projected = forms.BooleanField(label="Include projected", required=False)
    format = choice("Format", [("csv", "CSV")], required=False)


class PlanForm(ServiceForm):
    """A split plan's terms (the services check that the shares add up)."""

    name = text("Name", 120, required=True)
    agent_percent = PercentField(label="Agent %", required=True)
    team_percent = PercentField(label="Team %")
    annual_cap = AmountField(label="Annual cap")
    post_cap_fee = AmountField(label="Post-cap fee")
    cap_year_month = forms.TypedChoiceField(
        label="Cap year starts (month)",
        choices=[(n, calendar.month_name[n]) for n in range(1, 13)],
        coerce=int,
        required=False,
        empty_value=1,
        error_messages={"invalid_choice": "Choose a month."},
    )
    cap_year_day = whole_number("Day", low=1, high=31, required=False)
    is_default = forms.BooleanField(label="Default plan", required=False)

    def clean_team_percent(self):
        return self.cleaned_data["team_percent"] or 0

    def clean_post_cap_fee(self):
        return self.cleaned_data["post_cap_fee"] or 0

    def clean_cap_year_day(self):
        return self.cleaned_data["cap_year_day"] or 1


class PlanUpdateForm(PlanForm):
    """New terms for one of the org's plans."""

    plan_id = pick("Plan", "one of your split plans")

    def scoped(self) -> None:
        self.fields["plan_id"].queryset = split_plan_choices(actor=self.actor)


class AssignForm(ServiceForm):
    """Put a member on a plan from a day (today when left empty)."""

    member_id = pick("Agent", "a member you assign plans to")
    plan_id = pick("Plan", "one of your split plans")
    starts_on = DayField(label="From")

    def scoped(self) -> None:
        self.fields["member_id"].queryset = split_plan_assignees(actor=self.actor).prefetch_related(
            None
        )
        self.fields["plan_id"].queryset = split_plan_choices(actor=self.actor)

    def clean_starts_on(self):
        return self.cleaned_data["starts_on"] or local_today(self.actor.org)
