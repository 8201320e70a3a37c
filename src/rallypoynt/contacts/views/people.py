"""Pages: the contacts list, a contact's page with its timeline, tasks and smart lists.

Views parse, call one selector or service and render. Times show and parse in the org's
time zone. HTMX requests get the fragment they target (template partials), others the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from rallypoynt.contacts.choices import ProfileSide, Stage
from rallypoynt.contacts.filters import ContactFilters
from rallypoynt.contacts.forms import (
    ClientProfileForm,
    ConsentForm,
    ContactForm,
    RelationshipForm,
    SmartListForm,
    TaskForm,
    TouchpointForm,
    channels_initial,
    custom_initial,
    profile_initial,
)
from rallypoynt.contacts.panels import CONTACT_PANELS
from rallypoynt.contacts.selectors import (
    client_profiles_of,
    contact_get,
    contact_timeline,
    custom_fields_of,
    task_list,
)
from rallypoynt.contacts.selectors import lists as selectors_lists
from rallypoynt.contacts.selectors import relations as selectors_relations
from rallypoynt.contacts.services import relations
from rallypoynt.contacts.services.activity import (
    TouchpointIn,
    touchpoint_log,
)
from rallypoynt.contacts.services.consent import contact_consent_set
from rallypoynt.contacts.services.people import (
    PROFILE_FIELDS,
    ContactData,
    contact_create,
    contact_delete,
    contact_for_update,
    contact_update,
)
from rallypoynt.contacts.services.profiles import client_profile_set
from rallypoynt.core.errors import ServiceError, ValidationFailed
from rallypoynt.core.web import errors_to_form
from rallypoynt.orgs.decorators import member_page
from rallypoynt.orgs.permissions import visibility_for
from rallypoynt.orgs.selectors import member_list

PAGE_SIZE = 50
TIMELINE_SIZE = 30
NOT_FILTERS = {"cursor", "list"}


# Contacts list -----------------------------------------------------------------------------


def _filters(request: HttpRequest, base: dict | None = None) -> tuple[ContactFilters, dict]:
    """Filters from the query string (over a smart list's), and any errors in them."""
    raw = dict(base or {})
    raw.update({k: v for k, v in request.GET.items() if k not in NOT_FILTERS and v != ""})
    try:
        return ContactFilters.from_dict(raw), {}
    except ValidationFailed as exc:
        return ContactFilters(), exc.fields


def list_page(request: HttpRequest, *, smart_list=None) -> HttpResponse:
    actor = request.membership
    filters, errors = _filters(request, smart_list.filters if smart_list else None)
    try:
        page = selectors_lists.contact_page(
            actor=actor,
            filters=filters,
            cursor=None if errors else request.GET.get("cursor"),
            limit=PAGE_SIZE,
        )
    except ValidationFailed as exc:  # a mangled cursor: show the first page and say why
        errors = exc.fields
        page = selectors_lists.contact_page(actor=actor, filters=filters, limit=PAGE_SIZE)
    query = filters.as_dict()
    context = {
        "page": page,
        "filters": filters,
        "filter_errors": errors,
        "query": urlencode(query),
        "stages": Stage.choices,
        "smart_list": smart_list,
        "smart_lists": list(selectors_lists.smart_list_visible(actor=actor)),
        "list_form": SmartListForm(),
        "filter_items": list(query.items()),
        "detail_prefix": reverse("contacts:list"),
    }
    scope = visibility_for(actor)
    if scope.is_org_wide or len(scope.member_ids) > 1:
        # An owner filter only helps someone who sees more than their own contacts.
        context["members"] = member_list(actor=actor)
    if request.htmx and request.htmx.target == "results":
        return render(request, "contacts/people_list.html#results", context)
    return render(request, "contacts/people_list.html", context, status=400 if errors else 200)


@member_page
def contacts_list_view(request: HttpRequest) -> HttpResponse:
    return list_page(request)


# Contact page ------------------------------------------------------------------------------


def contact_or_404(request: HttpRequest, pk: int):
    contact = contact_get(actor=request.membership, contact_id=pk)
    if contact is None:
        raise Http404("No such contact.")
    return contact


def _activity_context(request: HttpRequest, contact, form=None) -> dict:
    return {
        "contact": contact,
        "log_form": form or TouchpointForm(),
        "timeline": contact_timeline(
            actor=request.membership, contact_id=contact.pk, limit=TIMELINE_SIZE
        ),
    }


def _profiles(request: HttpRequest, contact, failed: dict[str, ClientProfileForm]) -> list[dict]:
    """Each side's profile (None: not filled in) with its form; a refused form keeps its input."""
    stored = {
        p.side: p for p in client_profiles_of(actor=request.membership, contact_id=contact.pk)
    }
    sides = []
    for side, label in ProfileSide.choices:
        profile = stored.get(side)
        form = failed.get(side) or ClientProfileForm(initial=profile_initial(profile), prefix=side)
        sides.append(
            {
                "side": side,
                "label": label,
                "profile": profile,
                "form": form,
                "is_open": side in failed,
            }
        )
    return sides


def detail_page(
    request: HttpRequest,
    contact,
    *,
    log_form=None,
    profile_forms: dict[str, ClientProfileForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.membership
    may_share = relations.may_share(actor=actor, contact=contact)
    context = _activity_context(request, contact, log_form)
    context.update(
        {
            "panels": CONTACT_PANELS.shown(contact, actor),
            "profiles": _profiles(request, contact, profile_forms or {}),
            "now": timezone.now(),
            "tasks": list(task_list(actor=actor, contact_id=contact.pk).order_by("due_sort")[:20]),
            "task_form": TaskForm(initial={"contact_id": contact.pk}),
            "relationships": selectors_relations.relationship_list(
                actor=actor, contact_id=contact.pk
            ),
            "household": selectors_relations.household_of(actor=actor, contact_id=contact.pk),
            "relationship_form": RelationshipForm(),
            "collaborators": selectors_relations.collaborator_list(
                actor=actor, contact_id=contact.pk
            ),
            "may_share": may_share,
            "members": member_list(actor=actor) if may_share else [],
            "consent_form": ConsentForm(
                initial={
                    "email_consent": contact.email_consent,
                    "sms_consent": contact.sms_consent,
                    "is_do_not_contact": contact.is_do_not_contact,
                }
            ),
            "custom_values": [
                (spec.label, contact.custom.get(spec.key))
                for spec in custom_fields_of(actor=actor)
                if contact.custom.get(spec.key) not in (None, "")
            ],
        }
    )
    return render(request, "contacts/people_detail.html", context, status=status)


@member_page
def contact_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return detail_page(request, contact_or_404(request, pk))


@member_page
@require_POST
def touchpoint_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Quick-log: HTMX gets the refreshed activity block, a plain post a redirect."""
    contact = contact_or_404(request, pk)
    form = TouchpointForm(request.POST)
    is_logged = form.is_valid()
    if is_logged:
        try:
            touchpoint_log(
                actor=request.membership,
                contact_id=contact.pk,
                data=TouchpointIn(**form.cleaned_data),
            )
        except ValidationFailed as exc:
            errors_to_form(form, exc)
            is_logged = False
    if is_logged:
        if request.htmx:
            context = _activity_context(request, contact)
            context["logged"] = True
            return render(request, "contacts/people_detail.html#activity", context)
        messages.success(request, "Touchpoint logged.")
        return redirect("contacts:detail", pk=contact.pk)
    if request.htmx:
        # 200 so htmx swaps the form back in with its errors shown.
        return render(
            request,
            "contacts/people_detail.html#activity",
            _activity_context(request, contact, form),
        )
    return detail_page(request, contact, log_form=form, status=422)


@member_page
@require_POST
def client_profile_save_view(request: HttpRequest, pk: int, side: str) -> HttpResponse:
    """Save the contact's buyer or seller profile; a refused form shows the page with it."""
    contact = contact_or_404(request, pk)
    if side not in ProfileSide.values:
        raise Http404("No such profile.")
    form = ClientProfileForm(request.POST, prefix=side)
    if form.is_valid():
        try:
            client_profile_set(
                actor=request.membership,
                contact_id=contact.pk,
                side=side,
                data=form.profile_data(),
            )
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"{ProfileSide(side).label} profile saved.")
            return redirect(reverse("contacts:detail", args=[contact.pk]) + f"#profile-{side}")
    return detail_page(request, contact, profile_forms={side: form}, status=422)


@member_page
def timeline_more_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Older timeline entries after `cursor` (the timeline's "Show older" link)."""
    contact = contact_or_404(request, pk)
    try:
        timeline = contact_timeline(
            actor=request.membership,
            contact_id=contact.pk,
            cursor=request.GET.get("cursor"),
            limit=TIMELINE_SIZE,
        )
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=400)
    return render(
        request, "contacts/_timeline_items.html", {"contact": contact, "timeline": timeline}
    )


def _contact_form(request: HttpRequest, contact=None) -> HttpResponse:
    actor = request.membership
    custom_fields = list(custom_fields_of(actor=actor))
    members = member_list(actor=actor)
    initial = {"owner": actor.pk}
    if contact is not None:
        initial = {
            **{f: getattr(contact, f) for f in PROFILE_FIELDS},
            "owner": contact.owner_id,
            **channels_initial(contact),
            "tags": ", ".join(link.tag.name for link in contact.tag_links.all()),
            **custom_initial(contact, custom_fields),
        }
    form = ContactForm(
        request.POST or None, initial=initial, members=members, custom_fields=custom_fields
    )
    names = {"owner_id": "owner"} | {f"custom.{s.key}": f"custom_{s.key}" for s in custom_fields}
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            if contact is None:
                owner_id = values.pop("owner_id")
                saved = contact_create(
                    actor=actor, org_id=actor.org_id, owner_id=owner_id, data=ContactData(**values)
                )
                messages.success(request, f"{saved} added.")
            else:
                saved = contact_update(actor=actor, contact_id=contact.pk, changes=values)
                messages.success(request, "Contact saved.")
        except ServiceError as exc:
            errors_to_form(form, exc, names)
        else:
            return redirect("contacts:detail", pk=saved.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "contacts/people_form.html", {"form": form, "contact": contact}, status=status
    )


@member_page
def contact_create_view(request: HttpRequest) -> HttpResponse:
    return _contact_form(request)


@member_page
def contact_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_form(request, contact_or_404(request, pk))


@member_page
@require_POST
def contact_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_or_404(request, pk)
    contact_delete(actor=request.membership, contact_id=contact.pk)
    messages.success(request, f"{contact} deleted.")
    return redirect("contacts:list")


@member_page
@require_POST
def consent_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_or_404(request, pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a consent value for e-mail and text messages.")
        return redirect("contacts:detail", pk=contact.pk)
    with transaction.atomic():
        locked = contact_for_update(actor=request.membership, contact_id=contact.pk)
        contact_consent_set(
            actor=request.membership,
            contact=locked,
            email=form.cleaned_data["email_consent"],
            sms=form.cleaned_data["sms_consent"],
            do_not_contact=form.cleaned_data["is_do_not_contact"],
        )
    messages.success(request, "Consent saved.")
    return redirect("contacts:detail", pk=contact.pk)
