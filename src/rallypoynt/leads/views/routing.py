"""Pages: lead settings and routing rules (with a preview), and the pond to claim leads from."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rallypoynt.core.errors import NotFound, ServiceError
from rallypoynt.core.web import form_run
from rallypoynt.leads.choices import RoutingAction
from rallypoynt.leads.forms import PreviewForm, RuleForm, RuleMoveForm, SettingsForm
from rallypoynt.leads.models import RoutingRule
from rallypoynt.leads.selectors import routing as selectors_routing
from rallypoynt.leads.services import assignment as lead_assignment
from rallypoynt.leads.services import routing, routing_match, routing_rules, speed_to_lead
from rallypoynt.orgs.decorators import action_required, member_required
from rallypoynt.orgs.permissions import can, can_org_wide

MANAGE = routing.MANAGE_ACTION


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

    if form.is_valid() and form_run(form, save, atomic=True):
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

    if form.is_valid() and form_run(form, save, atomic=True):
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

        if form_run(form, save, atomic=True):
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
