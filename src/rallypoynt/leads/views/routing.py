"""Pages: lead settings and routing rules (with a preview), and the pond to claim leads from."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rallypoynt.contacts.choices import LeadType
from rallypoynt.core.errors import NotFound, ServiceError
from rallypoynt.leads.choices import RoutingAction
from rallypoynt.leads.forms import RuleMoveForm
from rallypoynt.leads.models import LeadSettings, RoutingRule
from rallypoynt.leads.selectors import routing as selectors_routing
from rallypoynt.leads.services import assignment as lead_assignment
from rallypoynt.leads.services import routing, routing_match, routing_rules, speed_to_lead
from rallypoynt.leads.services.routing_match import LeadFacts
from rallypoynt.leads.services.routing_rules import RoutingRuleData
from rallypoynt.orgs.decorators import action_required, member_required
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import can, can_org_wide
from rallypoynt.orgs.selectors import team_list

MANAGE = routing.MANAGE_ACTION


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n]", text or "") if part.strip()]


# Leads go only to members who sell; a crafted choice of anyone else is a form error.
NOT_A_SELLER = "Choose an active member who sells: an agent, lead agent or buyer specialist."


def _member_choices(actor: Membership, keep: int | None = None) -> list[tuple[str, str]]:
    """Members who sell (and the current choice, so its save error can say why it cannot stay)."""
    members = selectors_routing.seller_list(actor=actor, keep=keep)
    return [("", "—")] + [(str(m.pk), str(m.user)) for m in members]


def _initial_member(form: forms.Form, name: str) -> int | None:
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
        keep = _initial_member(self, "assignee_id")
        self.fields["assignee_id"].choices = _member_choices(actor, keep)
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
            values[name] = _split(values[name])
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
        keep = _initial_member(self, "default_assignee_id")
        self.fields["default_assignee_id"].choices = _member_choices(actor, keep)

    @staticmethod
    def initial_of(settings: LeadSettings) -> dict:
        return {name: getattr(settings, name) for name in speed_to_lead.SETTINGS_FIELDS}


class PreviewForm(forms.Form):
    source = forms.CharField(required=False)
    lead_type = forms.ChoiceField(choices=[("", "—"), *LeadType.choices], required=False)
    postal_code = forms.CharField(required=False, label="ZIP code")
    city = forms.CharField(required=False)
    price = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    language = forms.CharField(required=False)

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


def _apply(form: forms.Form, call: Callable[[], object]) -> bool:
    """Run a service (and its checks) in one transaction; copy errors onto the form."""
    try:
        with transaction.atomic():
            call()
    except ServiceError as exc:
        for field, errors in exc.fields.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error if target else f"{field}: {error}")
        if not exc.fields:
            form.add_error(None, exc.message)
        return False
    return True


def _conditions(rule: RoutingRule) -> list[str]:
    """A rule's conditions as short phrases for the list ("any lead" when it has none)."""
    parts = [
        f"{label}: {', '.join(values)}"
        for label, values in (
            ("source", rule.sources),
            ("type", rule.lead_types),
            ("ZIP", rule.postal_codes),
            ("city", rule.cities),
            ("language", rule.languages),
        )
        if values
    ]
    if rule.price_min is not None or rule.price_max is not None:
        parts.append(f"price {routing_match.price_range_text(rule)}")
    return parts or ["any lead"]


def _page(request: HttpRequest, **overrides) -> HttpResponse:
    actor = request.membership
    settings = speed_to_lead.lead_settings_get(org_id=actor.org_id)
    context = {
        "rules": [(r, _conditions(r)) for r in selectors_routing.routing_rule_list(actor=actor)],
        "settings": settings,
        "settings_form": SettingsForm(initial=SettingsForm.initial_of(settings), actor=actor),
        "rule_form": RuleForm(actor=actor),
        "preview_form": PreviewForm(),
        "preview": None,
        "can_manage": can(actor, MANAGE),
        # Reordering and the lead settings act on the whole org (broker/owner, sysadmin).
        "can_order": can_org_wide(actor, MANAGE),
        "can_settings": can_org_wide(actor, speed_to_lead.SETTINGS_ACTION),
        "actions": dict(RoutingAction.choices),
    }
    context.update(overrides)
    status = 422 if any(getattr(f, "errors", None) for f in overrides.values()) else 200
    return render(request, "leads/routing_rules.html", context, status=status)


@login_required
@member_required
def routing_view(request: HttpRequest) -> HttpResponse:
    """Lead settings and the org's rules in order; everyone reads, managers change."""
    return _page(request)


@login_required
@action_required(MANAGE)
@require_POST
def settings_save_view(request: HttpRequest) -> HttpResponse:
    actor = request.membership
    settings = speed_to_lead.lead_settings_get(org_id=actor.org_id)
    form = SettingsForm(request.POST, initial=SettingsForm.initial_of(settings), actor=actor)

    def save() -> None:
        # An empty window keeps the current one (a form posted without the field).
        changes = {
            k: v for k, v in form.cleaned_data.items() if k != "ack_window_hours" or v is not None
        }
        saved = speed_to_lead.lead_settings_update(actor=actor, changes=changes)
        routing.seller_check(
            org_id=actor.org_id,
            membership_id=saved.default_assignee_id,
            field_name="default_assignee_id",
        )

    if form.is_valid() and _apply(form, save):
        messages.success(request, "Lead settings saved.")
        return redirect("leads:routing")
    return _page(request, settings_form=form)


@login_required
@action_required(MANAGE)
@require_POST
def rule_create_view(request: HttpRequest) -> HttpResponse:
    actor = request.membership
    form = RuleForm(request.POST, actor=actor)

    def save() -> None:
        created = routing_rules.routing_rule_create(actor=actor, data=form.rule_data())
        routing.rule_seller_check(created)

    if form.is_valid() and _apply(form, save):
        messages.success(request, f"Rule \u201c{form.cleaned_data['name']}\u201d added.")
        return redirect("leads:routing")
    return _page(request, rule_form=form)


@login_required
@action_required(MANAGE)
def rule_edit_view(request: HttpRequest, rule_id: int) -> HttpResponse:
    actor = request.membership
    rule = selectors_routing.routing_rule_get(actor=actor, rule_id=rule_id)
    if rule is None:
        return render(request, "web/not_found.html", status=404)
    form = RuleForm(request.POST or None, initial=RuleForm.initial_of(rule), actor=actor)
    if request.method == "POST" and form.is_valid():
        changes = vars(form.rule_data())

        def save() -> None:
            saved = routing_rules.routing_rule_update(actor=actor, rule_id=rule.pk, changes=changes)
            routing.rule_seller_check(saved)

        if _apply(form, save):
            messages.success(request, f"Rule \u201c{form.cleaned_data['name']}\u201d saved.")
            return redirect("leads:routing")
    status = 422 if form.errors else 200
    context = {"form": form, "rule": rule}
    return render(request, "leads/routing_rule_edit.html", context, status=status)


def _act(request: HttpRequest, call: Callable[[], object], done: str) -> HttpResponse:
    try:
        call()
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("leads:routing")


@login_required
@action_required(MANAGE)
@require_POST
def rule_delete_view(request: HttpRequest, rule_id: int) -> HttpResponse:
    call = partial(routing_rules.routing_rule_delete, actor=request.membership, rule_id=rule_id)
    return _act(request, call, "Rule deleted.")


@login_required
@action_required(MANAGE)
@require_POST
def rule_move_view(request: HttpRequest, rule_id: int) -> HttpResponse:
    form = RuleMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not moved: move the rule up or down.")
        return _page(request, move_form=form)
    offset = form.cleaned_data["direction"]
    call = partial(
        routing_rules.routing_rule_move, actor=request.membership, rule_id=rule_id, offset=offset
    )
    return _act(request, call, "Order saved.")


@login_required
@member_required
def preview_view(request: HttpRequest) -> HttpResponse:
    """Which rule would take a lead like this? HTMX swaps in the answer; else the full page."""
    form = PreviewForm(request.GET)
    result = None
    if form.is_valid():
        result = routing.routing_preview(actor=request.membership, facts=form.facts())
    if request.htmx:
        context = {"preview": result, "preview_form": form}
        return render(request, "leads/routing_rules.html#preview", context)
    return _page(request, preview_form=form, preview=result)


@login_required
@member_required
def pond_view(request: HttpRequest) -> HttpResponse:
    """Leads waiting in the ponds of the member's teams; first to claim gets the lead."""
    actor = request.membership
    context = {
        "inquiries": list(selectors_routing.pond_list(actor=actor)[:200]),
        "my_team_ids": selectors_routing.pond_team_ids(actor),
    }
    return render(request, "leads/routing_pond.html", context)


@login_required
@member_required
@require_POST
def claim_view(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    try:
        inquiry = lead_assignment.inquiry_claim(actor=request.membership, inquiry_id=inquiry_id)
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("leads:pond")
    messages.success(request, f"{inquiry.contact} is yours: respond before the target.")
    return redirect(routing.contact_link(inquiry.contact_id))
