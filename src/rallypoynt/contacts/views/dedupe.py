"""Pages: the duplicates list, "not a duplicate", and the side-by-side merge page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rallypoynt.contacts.forms import DismissForm, MergeForm
from rallypoynt.contacts.selectors import duplicate_candidates, merge_preview
from rallypoynt.contacts.services.dedupe import contact_merge, duplicate_dismiss
from rallypoynt.core.errors import ServiceError, ValidationFailed
from rallypoynt.orgs.decorators import member_required

PAGE_SIZE = 100


def contact_url(contact_id: int) -> str:
    """The contact's own page (served by the people pages)."""
    return f"/contacts/{contact_id}/"


@login_required
@member_required
def duplicates_view(request: HttpRequest) -> HttpResponse:
    return _duplicates_page(request)


def _duplicates_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    pairs = duplicate_candidates(actor=request.membership, limit=PAGE_SIZE)
    context = {"pairs": pairs, "page_size": PAGE_SIZE}
    return render(request, "contacts/dedupe_list.html", context, status=status)


@login_required
@member_required
@require_POST
def dismiss_view(request: HttpRequest) -> HttpResponse:
    form = DismissForm(request.POST, actor=request.membership)
    if not form.is_valid():
        text = "Not dismissed: " + " ".join(form.error_lines())
        if request.htmx:
            return HttpResponse(text, status=422)
        messages.error(request, text)
        return _duplicates_page(request, status=422)
    try:
        duplicate_dismiss(actor=request.membership, **form.arguments())
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
def merge_view(request: HttpRequest, keep: int, other: int) -> HttpResponse:
    preview = merge_preview(actor=request.membership, keep_id=keep, other_id=other)
    if preview is None:
        return render(request, "web/not_found.html", status=404)
    error = None
    if request.method == "POST":
        form = MergeForm(request.POST, rows=preview.differing)
        if not form.is_valid():
            error = ValidationFailed("Pick which value to keep.", fields=_labelled(form))
        else:
            try:
                kept = contact_merge(
                    actor=request.membership,
                    keep_id=keep,
                    merge_id=other,
                    field_choices=form.field_choices(),
                )
            except ServiceError as exc:
                error = exc
            else:
                messages.success(
                    request, f"Merged into {kept}. The audit log keeps the other record."
                )
                return redirect(contact_url(kept.pk))
    context = {"preview": preview, "error": error}
    return render(
        request, "contacts/dedupe_merge.html", context, status=error.status if error else 200
    )


def _labelled(form: MergeForm) -> dict[str, list[str]]:
    """The form's errors by field label, as the merge page lists them."""
    return {form.fields[name].label: list(errors) for name, errors in form.errors.items()}
