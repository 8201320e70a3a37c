"""Pages: the org's journey and pipeline templates, their versions, YAML editing, publishing."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rallypoynt.contacts.views.people import crm_page
from rallypoynt.core.errors import ServiceError
from rallypoynt.core.forms import ServiceForm
from rallypoynt.journeys import forms, selectors
from rallypoynt.journeys.choices import Level, TemplateKind
from rallypoynt.journeys.domain import UNITS, blueprint_load, yaml_write
from rallypoynt.journeys.services import templates
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.decorators import action_required
from rallypoynt.orgs.permissions import can
from rallypoynt.orgs.selectors import team_list

MANAGE = "org.manage_teams"


@crm_page
def template_list(request: HttpRequest) -> HttpResponse:
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


@crm_page
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
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
def version_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
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
                problems = [e for errs in exc.fields.values() for e in errs] or [exc.message]
            else:
                messages.success(request, f"Saved as draft version {draft.number}.")
                return redirect("journeys:version", pk=pk, number=draft.number)
    context = {"version": version, "text": text, "problems": problems}
    return render(request, "journeys/template_edit.html", context, status=422 if problems else 200)


@action_required(MANAGE)
@require_POST
def version_publish(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version_or_404(request, pk, number)
    try:
        templates.template_version_publish(actor=request.membership, version_id=version.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Version {number} published: new engagements start on it.")
    return redirect("journeys:version", pk=pk, number=number)


@action_required(MANAGE)
@require_POST
def template_copy(request: HttpRequest) -> HttpResponse:
    """Copy the shipped default into the org, or the org's template for a team."""
    form = forms.TemplateCopyForm(request.POST, actor=request.membership)
    if not form.is_valid():
        return _list_page(request, failed=form)
    try:
        version = templates.template_copy(actor=request.membership, **form.arguments())
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("journeys:templates")
    messages.success(request, "Template ready to edit.")
    return redirect("journeys:version", pk=version.template_id, number=version.number)


@action_required(MANAGE)
@require_POST
def version_op(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One structured edit of a draft: move, add or remove a phase or step, change a step's
    role, due time or required flag, or a phase's approval gate."""
    version = _version_or_404(request, pk, number)
    form = forms.VersionOpForm(request.POST, actor=request.membership)
    if not form.is_valid():
        return _version_page(request, version, failed=form)
    try:
        templates.template_draft_edit(
            actor=request.membership, version_id=version.pk, **form.arguments()
        )
    except ServiceError as exc:
        details = [e for errs in exc.fields.values() for e in errs]
        messages.error(request, " ".join([exc.message, *details[:3]]))
    else:
        messages.success(request, "Draft updated.")
    return redirect("journeys:version", pk=pk, number=number)


@action_required(MANAGE)
@require_POST
def version_draft(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A new draft with this version's content, to edit."""
    version = _version_or_404(request, pk, number)
    draft = templates.template_version_create(
        actor=request.membership, template_id=pk, data=version.data, note=f"From v{number}"
    )
    messages.success(request, f"Draft v{draft.number} made from v{number}.")
    return redirect("journeys:version", pk=pk, number=draft.number)
