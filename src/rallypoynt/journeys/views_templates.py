"""Pages: the org's journey and pipeline templates, their versions, YAML editing, publishing."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rallypoynt.contacts.views.people import crm_page
from rallypoynt.core.errors import ServiceError
from rallypoynt.journeys import selectors
from rallypoynt.journeys.blueprint_parse import blueprint_load, yaml_write
from rallypoynt.journeys.choices import Level, TemplateKind
from rallypoynt.journeys.services import templates
from rallypoynt.orgs.decorators import action_required
from rallypoynt.orgs.selectors import team_list

MANAGE = "org.manage_teams"


@crm_page
def template_list(request: HttpRequest) -> HttpResponse:
    """Templates with their versions; managers may copy one for a team or edit a draft."""
    context = {
        "templates": selectors.template_list(actor=request.membership),
        "teams": team_list(actor=request.membership),
        "kinds": TemplateKind.choices,
        "levels": Level.choices,
    }
    return render(request, "journeys/templates.html", context)


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
    version = _version_or_404(request, pk, number)
    context = {"version": version, "blueprint": blueprint_load(version.data)}
    return render(request, "journeys/template_version.html", context)


@action_required(MANAGE)
def version_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Edit a version's YAML; saving makes a new draft, so a version in use never changes."""
    version = _version_or_404(request, pk, number)
    text, problems = yaml_write(version.data), []
    if request.method == "POST":
        text = request.POST.get("yaml", "")
        try:
            draft = templates.template_version_import(
                actor=request.membership,
                template_id=pk,
                text=text,
                note=request.POST.get("note", ""),
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
    team = request.POST.get("team_id", "")
    try:
        version = templates.template_copy(
            actor=request.membership,
            kind=request.POST.get("kind", ""),
            team_id=int(team) if team.isdigit() else None,
            level=request.POST.get("level", Level.TEAM),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("journeys:templates")
    messages.success(request, "Template ready to edit.")
    return redirect("journeys:version", pk=version.template_id, number=version.number)
