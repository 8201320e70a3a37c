"""Create (or replace) and revoke the member's calendar feed URL from their profile."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rallypoynt.accounts.services import calendar_feed_create, calendar_feed_revoke
from rallypoynt.core.web import run_service
from rallypoynt.orgs.decorators import member_required


def _feed_urls(request: HttpRequest, secret: str) -> dict[str, str]:
    """The https address (Google Calendar's "From URL") and its webcal twin (one-click
    subscribe in Apple Calendar and Outlook)."""
    url = request.build_absolute_uri(reverse("calendar:feed", kwargs={"token": secret}))
    return {"calendar_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@login_required
@member_required
@require_POST
def calendar_feed_create_view(request: HttpRequest) -> HttpResponse:
    """A new feed URL (the previous one stops working), shown once."""
    feed, secret = calendar_feed_create(actor=request.membership)
    # Shown on this one answer only: the secret is not stored, so it cannot be shown again.
    context = {"calendar_feed": feed, **_feed_urls(request, secret)}
    return render(request, "accounts/calendar_feed_created.html", context)


@login_required
@member_required
@require_POST
def calendar_feed_revoke_view(request: HttpRequest, feed_id: int) -> HttpResponse:
    """Stop the member's feed URL at once."""
    run_service(
        request,
        lambda: calendar_feed_revoke(actor=request.membership, feed_id=feed_id),
        "Calendar URL revoked: subscribed calendars stop updating.",
    )
    return redirect("account:profile")
