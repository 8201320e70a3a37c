"""Pages: an engagement's page, opening one, and each button of the page (its own URL)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rallypoynt.contacts.filters import ContactFilters
from rallypoynt.contacts.selectors import contact_list
from rallypoynt.core.forms import ServiceForm
from rallypoynt.core.web import ActionPage, PageAction, next_or, run_service
from rallypoynt.journeys import forms, selectors
from rallypoynt.journeys.choices import WORKING, Side
from rallypoynt.journeys.panels import ENGAGEMENT_PANELS
from rallypoynt.journeys.services import engagements, handoffs, phase_return, progress
from rallypoynt.orgs.decorators import member_page
from rallypoynt.orgs.selectors import team_list


def _engagement_or_404(request: HttpRequest, pk: int):
    engagement = selectors.engagement_get(actor=request.membership, engagement_id=pk)
    if engagement is None:
        raise Http404
    return engagement


@member_page
def engagement_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The phase timeline, this phase's checklist and deliverables, what blocks advancing
    and why, and the seed's guidance for the phase."""
    return _engagement_page(request, _engagement_or_404(request, pk))


def _engagement_page(
    request: HttpRequest, engagement, failed: ServiceForm | None = None
) -> HttpResponse:
    """An engagement's page; a button's form that does not parse (400) says why."""
    journey = selectors.version_blueprint(engagement.journey)
    pipeline = selectors.version_blueprint(engagement.pipeline)
    evaluation = selectors.engagement_evaluate(engagement, timezone.now())
    # On file: recorded, or produced by a step that is done (as the engine counts them).
    delivered = selectors.delivered_keys(engagement) | {
        key for s in evaluation.steps if s.is_done for key in s.step.produces
    }
    phase_index = [p.key for p in journey.phases].index(engagement.phase_key)
    context = {
        "engagement": engagement,
        "journey": journey,
        "pipeline": pipeline,
        "evaluation": evaluation,
        "phase_index": phase_index,
        "earlier_phases": journey.phases[:phase_index],
        "deliverables": [
            (d, d.key in delivered) for d in evaluation.phase.deliverables_for(engagement.side)
        ],
        "clients": selectors.engagement_clients(engagement),
        "visits": selectors.phase_visits(engagement),
        "gate_role": evaluation.phase.gate.approval_role if evaluation.phase.gate else None,
        "is_open": engagement.status in WORKING,
        "sources": selectors.step_sources(engagement),
        "phase_names": {p.key: p.name for p in journey.phases},
        "stage": pipeline.stage(engagement.stage_key),
        "panels": ENGAGEMENT_PANELS.shown(engagement, request.membership),
        "lost_reasons": selectors.lost_reason_list(actor=request.membership, is_active=True),
        "has_newer": selectors.has_newer_version(engagement),
        "handoffs": selectors.engagement_handoffs(engagement),
        "failed": failed,
    }
    status = 400 if failed else 200
    return render(request, "journeys/engagement.html", context, status=status)


def _engagement_act(request: HttpRequest, action: PageAction, pk: int) -> HttpResponse:
    """One button of the engagement page: its form, its service, then back to the page;
    a form that does not parse shows the page again with its errors (400)."""
    form = action.bind(request)
    if not form.is_valid():
        return _engagement_page(request, _engagement_or_404(request, pk), failed=form)
    # The service finds the engagement in the member's reach (a refusal otherwise).
    action.run(request, form, engagement_id=pk)
    return redirect(next_or(request, reverse("journeys:engagement", args=[pk])))


# The buttons of the engagement page, each its own view and URL.
ENGAGEMENT = ActionPage(_engagement_act, (member_page, require_POST))

step_complete_view = ENGAGEMENT.button(
    "step_complete_view",
    "Mark a step of the current phase done.",
    PageAction(forms.StepForm, progress.step_complete, "Step done."),
)
step_undo_view = ENGAGEMENT.button(
    "step_undo_view",
    "Reopen a step of the current phase.",
    PageAction(forms.StepForm, progress.step_undo, "Step reopened."),
)
deliverable_record_view = ENGAGEMENT.button(
    "deliverable_record_view",
    "Put a deliverable of the current phase on file.",
    PageAction(forms.DeliverForm, progress.deliverable_record, "Deliverable on file."),
)
phase_advance_view = ENGAGEMENT.button(
    "phase_advance_view",
    "Move on to the next phase when nothing blocks it.",
    PageAction(forms.NoFieldsForm, progress.phase_advance, "On to the next phase."),
)
phase_return_view = ENGAGEMENT.button(
    "phase_return_view",
    "Move back to an earlier phase, saying why.",
    PageAction(forms.ReturnForm, phase_return, "Moved back."),
)
gate_decide_view = ENGAGEMENT.button(
    "gate_decide_view",
    "Approve or reject the phase's gate.",
    PageAction(forms.GateForm, progress.gate_decide, "Decision recorded."),
)
stage_change_view = ENGAGEMENT.button(
    "stage_change_view",
    "Put the engagement in another sales stage.",
    PageAction(forms.StageForm, progress.stage_change, "Stage changed."),
)
engagement_close_view = ENGAGEMENT.button(
    "engagement_close_view",
    "Mark the engagement won or lost.",
    PageAction(forms.CloseForm, engagements.engagement_close, "Engagement closed."),
)
engagement_hold_view = ENGAGEMENT.button(
    "engagement_hold_view",
    "Put the engagement on hold, or resume it.",
    PageAction(forms.HoldForm, engagements.engagement_hold, "Updated."),
)
engagement_upgrade_view = ENGAGEMENT.button(
    "engagement_upgrade_view",
    "Move the engagement to its template's newest version, keeping its progress.",
    PageAction(
        forms.NoFieldsForm, progress.engagement_upgrade, "Moved to the newest template version."
    ),
)


@member_page
@require_POST
def handoff_accept_view(request: HttpRequest, pk: int, handoff_id: int) -> HttpResponse:
    """The receiver takes the work handed to them."""
    run_service(
        request,
        lambda: handoffs.handoff_accept(actor=request.membership, handoff_id=handoff_id),
        "Handoff accepted.",
    )
    return redirect("journeys:engagement", pk=pk)


# The new-engagement page offers at most this many contacts matching the search.
CLIENT_MATCHES = 8


def _client_matches(request: HttpRequest) -> tuple[str, list]:
    """The search typed on the new-engagement page and the visible contacts it finds."""
    search = forms.ClientSearchForm(request.GET, actor=request.membership)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if len(q) < 2:
        return q, []
    found = contact_list(actor=request.membership, filters=ContactFilters(q=q))
    return q, list(found.order_by("last_name", "first_name", "pk")[:CLIENT_MATCHES])


def _new_page(request: HttpRequest, contact, failed: ServiceForm | None = None) -> HttpResponse:
    q, matches = _client_matches(request) if contact is None else ("", [])
    context = {
        "contact": contact,
        "q": q,
        "matches": matches,
        "sides": Side.choices,
        "side": request.POST.get("side") or request.GET.get("side") or Side.BUY,
        "teams": team_list(actor=request.membership),
        "failed": failed,
    }
    if request.htmx and request.htmx.target == "client-pick":
        return render(request, "journeys/engagement_new.html#pick", context)
    status = 400 if failed else 200
    return render(request, "journeys/engagement_new.html", context, status=status)


def _named_client(request: HttpRequest):
    """The client the link names (`?contact=`) or the form posted, if the member sees them."""
    actor = request.membership
    named = forms.ContactPrefillForm(request.GET, actor=actor)
    if named.is_valid() and named.cleaned_data["contact"]:
        return named.cleaned_data["contact"]
    if request.method == "POST":
        posted = forms.ContactPrefillForm({"contact": request.POST.get("contact_id")}, actor=actor)
        if posted.is_valid():
            return posted.cleaned_data["contact"]
    return None


@member_page
def engagement_open_view(request: HttpRequest) -> HttpResponse:
    """Open a client journey for a contact (buy or sell), found by name or named by the link
    (`?contact=<id>`, e.g. from the contact page)."""
    actor = request.membership
    contact = _named_client(request)
    if request.method != "POST":
        return _new_page(request, contact)
    form = forms.EngagementOpenForm(request.POST, actor=actor)
    if not form.is_valid():
        return _new_page(request, contact, failed=form)
    opened = run_service(
        request,
        lambda: engagements.engagement_open(actor=actor, **form.arguments()),
        "Engagement opened.",
    )
    if opened:
        return redirect("journeys:engagement", pk=opened.result.pk)
    return _new_page(request, contact)
