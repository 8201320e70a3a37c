"""Pages: a member's notifications (list, open, mark read) and the header badge fragment
(URLs in orgs/urls_notifications.py, the `notifications` namespace)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.core.pagination import paginate
from rallypoynt.orgs.decorators import member_required
from rallypoynt.orgs.forms import NotificationOpenForm, NotificationsFilterForm
from rallypoynt.orgs.selectors import notification_list, notification_unread_count
from rallypoynt.orgs.services import notification_mark_read, notification_read

PAGE_SIZE = 50


@login_required
@member_required
def notification_list_view(request: HttpRequest) -> HttpResponse:
    """The member's notifications, newest first (unread=1 for the unread ones only)."""
    return _list_page(request)


def _list_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    actor = request.membership
    query = NotificationsFilterForm(request.GET)
    # Anything but unread=1 shows them all (a filter, not a change).
    unread_only = query.is_valid() and query.cleaned_data["unread"]
    rows = notification_list(actor=actor, unread_only=unread_only)
    ordering = ("-created_at", "-id")
    try:
        page = paginate(rows, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, ordering=ordering)
    except ValidationFailed:
        # A mangled "older" link: show the newest page rather than an error.
        page = paginate(rows, cursor=None, limit=PAGE_SIZE, ordering=ordering)
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread_count": notification_unread_count(actor=actor),
    }
    return render(request, "orgs/notifications.html", context, status=status)


def _safe_next(request: HttpRequest, target: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else ""


@login_required
@member_required
@require_POST
def notification_read_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; with open=1 follow its link (a local one only)."""
    form = NotificationOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Open it or only mark it read.")
        return _list_page(request, status=400)
    try:
        found = notification_read(actor=request.membership, notification_id=notification_id)
    except NotFound:
        return render(request, "web/not_found.html", status=404)
    if form.cleaned_data["open"]:
        target = _safe_next(request, found.link)
        if target:
            return redirect(target)
    return redirect("notifications:list")


@login_required
@member_required
@require_POST
def notification_read_all_view(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification read."""
    unread = notification_list(actor=request.membership, unread_only=True)
    if unread.exists():
        notification_mark_read(actor=request.membership)
    return redirect("notifications:list")


@login_required
@member_required
def notification_badge_view(request: HttpRequest) -> HttpResponse:
    """The header link with the unread count, loaded (and refreshed) by HTMX."""
    count = notification_unread_count(actor=request.membership)
    return render(request, "orgs/notifications.html#badge", {"unread_count": count})
