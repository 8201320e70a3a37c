"""Pages: smart lists (saved contact filters) with counts."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from rallypoynt.contacts.choices import (
    Stage,
)
from rallypoynt.contacts.forms import (
    SmartListForm,
)
from rallypoynt.contacts.selectors import lists as selectors_lists
from rallypoynt.contacts.services import lists
from rallypoynt.contacts.views.people import list_page
from rallypoynt.core.errors import ServiceError
from rallypoynt.orgs.decorators import member_page

# Smart lists -------------------------------------------------------------------------------


FILTER_TEXT = {
    "q": "Matches “{}”",
    "stage": "Stage: {}",
    "source": "Source: {}",
    "owner_id": "Owner #{}",
    "tag": "Tag: {}",
    "no_touchpoint_days": "No touchpoint in {} days",
    "created_within_days": "Added in the last {} days",
}


def _filter_text(filters: dict) -> list[str]:
    stages = dict(Stage.choices)
    return [
        FILTER_TEXT.get(k, k + ": {}").format(stages.get(v, v) if k == "stage" else v)
        for k, v in filters.items()
    ]


@member_page
def smart_lists_view(request: HttpRequest) -> HttpResponse:
    actor = request.membership
    rows = list(selectors_lists.smart_list_visible(actor=actor))
    for row in rows:
        row.count, row.count_is_capped = selectors_lists.smart_list_count(
            actor=actor, smart_list=row
        )
        row.filter_text = _filter_text(row.filters)
    return render(
        request,
        "contacts/people_smart_lists.html",
        {"rows": rows, "cap": selectors_lists.COUNT_CAP},
    )


@member_page
@require_POST
def smart_list_create_view(request: HttpRequest) -> HttpResponse:
    form = SmartListForm(request.POST)
    filters = {k[2:]: v for k, v in request.POST.items() if k.startswith("f_") and v != ""}
    if not form.is_valid():
        messages.error(request, "Give the list a name.")
        return redirect(f"{reverse('contacts:list')}?{urlencode(filters)}")
    try:
        row = lists.smart_list_create(
            actor=request.membership, filters=filters, **form.cleaned_data
        )
    except ServiceError as exc:
        details = "; ".join(e for errs in exc.fields.values() for e in errs)
        messages.error(request, f"{exc.message} {details}".strip())
        return redirect(f"{reverse('contacts:list')}?{urlencode(filters)}")
    messages.success(request, f"Smart list “{row.name}” saved.")
    return redirect("contacts:smart_list", list_id=row.pk)


@member_page
def smart_list_open_view(request: HttpRequest, list_id: int) -> HttpResponse:
    try:
        row = selectors_lists.smart_list_get(actor=request.membership, smart_list_id=list_id)
    except ServiceError as exc:
        raise Http404(exc.message) from exc
    return list_page(request, smart_list=row)


@member_page
@require_POST
def smart_list_delete_view(request: HttpRequest, list_id: int) -> HttpResponse:
    try:
        lists.smart_list_delete(actor=request.membership, smart_list_id=list_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "Smart list deleted.")
    return redirect("contacts:smart_lists")
