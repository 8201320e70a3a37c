"""Pages: the org's journey and pipeline templates, their versions, YAML editing, publishing,
and each structured edit of a draft (its own URL)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rallypoynt.core.errors import ServiceError
from rallypoynt.core.forms import ServiceForm
from rallypoynt.core.web import ActionPage, PageAction, run_service
from rallypoynt.journeys import forms, selectors
from rallypoynt.journeys.choices import Level, TemplateKind
from rallypoynt.journeys.domain import UNITS, blueprint_load, yaml_write
from rallypoynt.journeys.services import templates
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.decorators import action_required, member_page
from rallypoynt.orgs.permissions import can
from rallypoynt.orgs.selectors import team_list

MANAGE = "org.manage_teams"


@member_page
def template_list_view(request: HttpRequest) -> HttpResponse:
    """Templates with their versions; managers may copy one for a team or edit a draft."""
    return _list_page(request)


def _list_page(request: HttpRequest, failed: ServiceForm | None = None) -> HttpResponse:
    """The templates page; a copy form that does not parse (400) says why."""
    context = {
        "templates": selectors.template_list(actor=request.membership),
        "teams": team_list(actor=request.membership),
        "kinds": TemplateKind.choices,
        "levels": Level.choices,
        "failed": failed,
    }
    return render(request, "journeys/templates.html", context, status=400 if failed else 200)


def _version_or_404(request: HttpRequest, pk: int, number: int):
    version = selectors.template_version_get(
        actor=request.membership, template_id=pk, number=number
    )
    if version is None:
        raise Http404
    return version


@member_page
def template_version_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A version read as phases, steps, roles, due times and gates (or stages and metrics)."""
    return _version_page(request, _version_or_404(request, pk, number))


def _version_page(request: HttpRequest, version, failed: ServiceForm | None = None):
    """A version's page; an edit form that does not parse (400) says why."""
    context = {
        "version": version,
        "blueprint": blueprint_load(version.data),
        "roles": Role.choices,
        "units": [(u, u) for u in UNITS],
        "can_edit": can(request.membership, MANAGE) and not version.is_published,
        "failed": failed,
    }
    status = 400 if failed else 200
    return render(request, "journeys/template_version.html", context, status=status)


@action_required(MANAGE)
def template_version_edit_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Edit a version's YAML; saving makes a new draft, so a version in use never changes."""
    version = _version_or_404(request, pk, number)
    text, problems = yaml_write(version.data), []
    if request.method == "POST":
        form = forms.VersionEditForm(request.POST)
        if not form.is_valid():
            # Shown as typed (when it came at all) with what is wrong, as the parser's own.
            text = str(form["yaml"].value() or "")[: forms.MAX_YAML_BYTES]
            problems = [e for errs in form.errors.values() for e in errs]
        else:
            text = form.cleaned_data["yaml"]
            try:
                draft = templates.template_version_import(
                    actor=request.membership,
                    template_id=pk,
                    text=text,
                    note=form.cleaned_data["note"],
                )
            except ServiceError as exc:
                # The editor lists every problem beside the text, not in a message.
                problems = [e for errs in exc.fields.values() for e in errs] or [exc.message]
            else:
                messages.success(request, f"Saved as draft version {draft.number}.")
                return redirect("journeys:version", pk=pk, number=draft.number)
    context = {"version": version, "text": text, "problems": problems}
    return render(request, "journeys/template_edit.html", context, status=422 if problems else 200)


@action_required(MANAGE)
@require_POST
def template_version_publish_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Publish a draft: new engagements start on it."""
    version = _version_or_404(request, pk, number)
    run_service(
        request,
        lambda: templates.template_version_publish(actor=request.membership, version_id=version.pk),
        f"Version {number} published: new engagements start on it.",
    )
    return redirect("journeys:version", pk=pk, number=number)


@action_required(MANAGE)
@require_POST
def template_copy_view(request: HttpRequest) -> HttpResponse:
    """Copy the shipped default into the org, or the org's template for a team."""
    form = forms.TemplateCopyForm(request.POST, actor=request.membership)
    if not form.is_valid():
        return _list_page(request, failed=form)
    copied = run_service(
        request,
        lambda: templates.template_copy(actor=request.membership, **form.arguments()),
        "Template ready to edit.",
    )
    if not copied:
        return redirect("journeys:templates")
    version = copied.result
    return redirect("journeys:version", pk=version.template_id, number=version.number)


@action_required(MANAGE)
@require_POST
def template_draft_create_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A new draft with this version's content, to edit."""
    version = _version_or_404(request, pk, number)
    made = run_service(
        request,
        lambda: templates.template_version_create(
            actor=request.membership, template_id=pk, data=version.data, note=f"From v{number}"
        ),
        f"Draft made from v{number}.",
    )
    if not made:
        return redirect("journeys:version", pk=pk, number=number)
    return redirect("journeys:version", pk=pk, number=made.result.number)


def _draft_edit(request: HttpRequest, action: PageAction, pk: int, number: int) -> HttpResponse:
    """One structured edit of a draft, then back to it; a form that does not parse shows
    the version again with its errors (400)."""
    version = _version_or_404(request, pk, number)
    form = action.bind(request)
    if not form.is_valid():
        return _version_page(request, version, failed=form)
    action.run(request, form, version_id=version.pk)
    return redirect("journeys:version", pk=pk, number=number)


def _edit(form_class: type[ServiceForm], op: str) -> PageAction:
    """The edit `op` of `templates.template_draft_edit`, its arguments from `form_class`."""
    return PageAction(form_class, partial(templates.template_draft_edit, op=op), "Draft updated.")


# The structured edits of a draft, each its own view and URL; for those who manage templates.
DRAFT = ActionPage(_draft_edit, (action_required(MANAGE), require_POST))

draft_phase_move_view = DRAFT.button(
    "draft_phase_move_view",
    "Move a phase of a draft up or down.",
    _edit(forms.PhaseMoveForm, "phase_move"),
)
draft_phase_add_view = DRAFT.button(
    "draft_phase_add_view",
    "Add a phase to a draft.",
    _edit(forms.PhaseAddForm, "phase_add"),
)
draft_phase_remove_view = DRAFT.button(
    "draft_phase_remove_view",
    "Remove a phase from a draft.",
    _edit(forms.PhaseRemoveForm, "phase_remove"),
)
draft_step_move_view = DRAFT.button(
    "draft_step_move_view",
    "Move a step of a draft up or down within its phase.",
    _edit(forms.StepMoveForm, "step_move"),
)
draft_step_add_view = DRAFT.button(
    "draft_step_add_view",
    "Add a step to a phase of a draft.",
    _edit(forms.StepAddForm, "step_add"),
)
draft_step_remove_view = DRAFT.button(
    "draft_step_remove_view",
    "Remove a step from a draft.",
    _edit(forms.StepRemoveForm, "step_remove"),
)
draft_step_update_view = DRAFT.button(
    "draft_step_update_view",
    "Change a step's role, required flag or due time in a draft.",
    _edit(forms.StepUpdateForm, "step_update"),
)
draft_gate_update_view = DRAFT.button(
    "draft_gate_update_view",
    "Set or clear the approval needed to leave a phase of a draft.",
    _edit(forms.GateUpdateForm, "gate_update"),
)
