"""Pages: the duplicates list, "not a duplicate", and the side-by-side merge page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from rallypoynt.contacts.selectors_dedupe import duplicate_candidates
from rallypoynt.contacts.selectors_merge import KEEP, MERGE, merge_preview
from rallypoynt.contacts.services.dedupe import contact_merge, duplicate_dismiss
from rallypoynt.core.errors import ServiceError
from rallypoynt.orgs.decorators import member_required

PAGE_SIZE = 100


def contact_url(contact_id: int) -> str:
    """The contact's own page (served by the people pages)."""
    return f"/contacts/{contact_id}/"


@login_required
@member_required
def duplicates(request: HttpRequest) -> HttpResponse:
    pairs = duplicate_candidates(actor=request.membership, limit=PAGE_SIZE)
    return render(request, "contacts/dedupe_list.html", {"pairs": pairs, "page_size": PAGE_SIZE})


@login_required
@member_required
@require_POST
def dismiss(request: HttpRequest) -> HttpResponse:
    try:
        duplicate_dismiss(
            actor=request.membership,
            first_id=_int(request.POST.get("first")),
            second_id=_int(request.POST.get("second")),
        )
    except ServiceError as exc:
        if request.htmx:
            return HttpResponse(exc.message, status=exc.status)
        messages.error(request, exc.message)
        return redirect("contacts:duplicates")
    if request.htmx:
        return HttpResponse("")  # the row disappears
    messages.success(request, "Marked as different people; the pair will not be suggested again.")
    return redirect("contacts:duplicates")


@login_required
@member_required
def merge(request: HttpRequest, keep: int, other: int) -> HttpResponse:
    preview = merge_preview(actor=request.membership, keep_id=keep, other_id=other)
    if preview is None:
        return render(request, "web/not_found.html", status=404)
    error = None
    if request.method == "POST":
        choices = {
            row.name: request.POST[f"choice_{row.name}"]
            for row in preview.differing
            if request.POST.get(f"choice_{row.name}") in (KEEP, MERGE)
        }
        try:
            kept = contact_merge(
                actor=request.membership, keep_id=keep, merge_id=other, field_choices=choices
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, f"Merged into {kept}. The audit log keeps the other record.")
            return redirect(contact_url(kept.pk))
    context = {"preview": preview, "error": error}
    return render(
        request, "contacts/dedupe_merge.html", context, status=error.status if error else 200
    )


def _int(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        return 0


urlpatterns = [
    path("duplicates/", duplicates, name="duplicates"),
    path("duplicates/dismiss/", dismiss, name="duplicate_dismiss"),
    path("merge/<int:keep>/<int:other>/", merge, name="merge"),
]
