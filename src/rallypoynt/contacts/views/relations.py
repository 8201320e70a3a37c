"""A contact's household, referrals and collaborators: adding and removing them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rallypoynt.contacts.filters import ContactFilters
from rallypoynt.contacts.forms import (
    CollaboratorForm,
    PickQueryForm,
    RelationshipForm,
)
from rallypoynt.contacts.selectors import (
    contact_get,
    contact_list,
)
from rallypoynt.contacts.services import relations
from rallypoynt.contacts.views.people import contact_or_404, detail_page
from rallypoynt.core.web import run_service
from rallypoynt.orgs.decorators import member_page


@member_page
@require_POST
def relationship_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_or_404(request, pk)
    form = RelationshipForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a contact and a relationship.")
    else:
        run_service(
            request,
            lambda: relations.relationship_add(
                actor=request.membership, contact_id=contact.pk, **form.cleaned_data
            ),
            "Relationship added.",
        )
    return redirect("contacts:detail", pk=contact.pk)


@member_page
@require_POST
def relationship_remove_view(request: HttpRequest, pk: int, relationship_id: int) -> HttpResponse:
    contact = contact_or_404(request, pk)
    run_service(
        request,
        lambda: relations.relationship_remove(
            actor=request.membership, relationship_id=relationship_id
        ),
        "Relationship removed.",
    )
    return redirect("contacts:detail", pk=contact.pk)


@member_page
def relationship_pick_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Up to 8 visible contacts matching `q`, as choices for the relationship form."""
    contact = contact_or_404(request, pk)
    query = PickQueryForm(request.GET)
    q = query.cleaned_data["q"] if query.is_valid() else ""
    matches = []
    if len(q) >= 2:
        found = contact_list(actor=request.membership, filters=ContactFilters(q=q))
        matches = list(found.exclude(pk=contact.pk).order_by("last_name", "pk")[:8])
    return render(request, "contacts/_pick.html", {"matches": matches, "q": q})


@member_page
@require_POST
def collaborator_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_or_404(request, pk)
    form = CollaboratorForm(request.POST, actor=request.membership)
    if not form.is_valid():
        messages.error(request, "Not shared: " + " ".join(form.error_lines()))
        return detail_page(request, contact, status=422)
    run_service(
        request,
        lambda: relations.collaborator_add(
            actor=request.membership, contact_id=contact.pk, **form.arguments()
        ),
        "Collaborator added.",
    )
    return redirect("contacts:detail", pk=contact.pk)


@member_page
@require_POST
def collaborator_remove_view(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    contact = contact_or_404(request, pk)
    run_service(
        request,
        lambda: relations.collaborator_remove(
            actor=request.membership, contact_id=contact.pk, membership_id=membership_id
        ),
        "Collaborator removed.",
    )
    if (
        membership_id == request.membership.pk
        and contact_get(actor=request.membership, contact_id=contact.pk) is None
    ):
        return redirect("contacts:list")
    return redirect("contacts:detail", pk=contact.pk)
