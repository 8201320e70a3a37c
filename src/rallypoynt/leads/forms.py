"""Forms of the lead pages: routing rules, lead settings, the preview, a rule's place, the
review tab."""

from __future__ import annotations

import re

from django import forms

from rallypoynt.contacts.choices import LeadType
from rallypoynt.core.forms import choice
from rallypoynt.leads.choices import ReviewStatus, RoutingAction
from rallypoynt.leads.models import LeadSettings, RoutingRule
from rallypoynt.leads.selectors import routing as selectors_routing
from rallypoynt.leads.services import routing_rules, speed_to_lead
from rallypoynt.leads.services.routing_match import LeadFacts
from rallypoynt.leads.services.routing_rules import RoutingRuleData
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.selectors import team_list


class RuleMoveForm(forms.Form):
    """A routing rule moved one place up or down."""

    direction = forms.TypedChoiceField(
        label="Move",
        choices=[("up", "Up"), ("down", "Down")],
        coerce=lambda value: -1 if value == "up" else 1,
        error_messages={"required": "Move it up or down.", "invalid_choice": "Move it up or down."},
    )


class ReviewTabForm(forms.Form):
    """The review queue's tab (GET); anything else shows the open items."""

    status = choice("Status", ReviewStatus.choices, required=False)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n]", text or "") if part.strip()]


# Leads go only to members who sell; a crafted choice of anyone else is a form error.
NOT_A_SELLER = "Choose an active member who sells: an agent, lead agent or buyer specialist."


def member_choices(actor: Membership, keep: int | None = None) -> list[tuple[str, str]]:
    """Members who sell (and the current choice, so its save error can say why it cannot stay)."""
    members = selectors_routing.seller_list(actor=actor, keep=keep)
    return [("", "—")] + [(str(m.pk), str(m.user)) for m in members]


def initial_member(form: forms.Form, name: str) -> int | None:
    value = form.initial.get(name)
    return value if isinstance(value, int) else None


class RuleForm(forms.Form):
    name = forms.CharField(max_length=120)
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    action = forms.ChoiceField(choices=RoutingAction.choices)
    assignee_id = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Assignee (for 'assign')",
        error_messages={"invalid_choice": NOT_A_SELLER},
    )
    team_id = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Team (for round robin and pond)"
    )
    sources = forms.CharField(required=False, help_text="Comma-separated, e.g. Zillow, Website")
    lead_types = forms.MultipleChoiceField(
        choices=LeadType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    postal_codes = forms.CharField(
        required=False, label="ZIP codes", help_text="ZIP codes or prefixes, e.g. 80302, 803"
    )
    cities = forms.CharField(required=False, help_text="Comma-separated")
    languages = forms.CharField(required=False, help_text="Language codes, e.g. es, en")
    price_min = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    price_max = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    pond_timeout_minutes = forms.IntegerField(
        min_value=1,
        max_value=routing_rules.MAX_POND_MINUTES,
        initial=15,
        label="Pond timeout (minutes)",
    )

    def __init__(self, *args, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        keep = initial_member(self, "assignee_id")
        self.fields["assignee_id"].choices = member_choices(actor, keep)
        teams = [("", "—")] + [(str(t.pk), t.name) for t in team_list(actor=actor)]
        self.fields["team_id"].choices = teams

    @staticmethod
    def initial_of(rule: RoutingRule) -> dict:
        initial = {name: getattr(rule, name) for name in routing_rules.RULE_FIELDS}
        for name in ("sources", "postal_codes", "cities", "languages"):
            initial[name] = ", ".join(initial[name])
        return initial

    def rule_data(self) -> RoutingRuleData:
        values = dict(self.cleaned_data)
        for name in ("sources", "postal_codes", "cities", "languages"):
            values[name] = split_list(values[name])
        return RoutingRuleData(**values)


class SettingsForm(forms.Form):
    first_response_minutes = forms.IntegerField(
        min_value=1,
        max_value=speed_to_lead.MAX_TARGET_MINUTES,
        label="First-response target (business minutes)",
    )
    is_reassign_on_escalation = forms.BooleanField(
        required=False, label="Reassign by round robin when the target is missed"
    )
    default_assignee_id = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Default assignee",
        error_messages={"invalid_choice": NOT_A_SELLER},
    )
    is_ack_enabled = forms.BooleanField(required=False, label="Send an acknowledgement e-mail")
    ack_window_hours = forms.IntegerField(
        min_value=0,
        max_value=speed_to_lead.MAX_WINDOW,
        required=False,
        label="At most one acknowledgement per person every (hours)",
        help_text="0: acknowledge every lead; empty keeps the current window.",
    )
    ack_subject = forms.CharField(max_length=200, label="Acknowledgement subject")
    ack_body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Acknowledgement text",
        help_text="Placeholders: {{ first_name }}, {{ agent_name }}, {{ org_name }}, "
        "{{ property_address }}",
    )

    def __init__(self, *args, actor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        keep = initial_member(self, "default_assignee_id")
        self.fields["default_assignee_id"].choices = member_choices(actor, keep)

    @staticmethod
    def initial_of(settings: LeadSettings) -> dict:
        return {name: getattr(settings, name) for name in speed_to_lead.SETTINGS_FIELDS}


class PreviewForm(forms.Form):
    source = forms.CharField(required=False, max_length=100)
    lead_type = forms.ChoiceField(choices=[("", "—"), *LeadType.choices], required=False)
    postal_code = forms.CharField(required=False, label="ZIP code", max_length=20)
    city = forms.CharField(required=False, max_length=100)
    price = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    language = forms.CharField(required=False, max_length=40)

    def facts(self) -> LeadFacts:
        values = self.cleaned_data
        return LeadFacts(
            source=values["source"],
            lead_type=values["lead_type"],
            postal_code=values["postal_code"],
            city=values["city"],
            price=values["price"],
            language=values["language"],
        )
