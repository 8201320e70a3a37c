"""GET /calendar/<secret>.ics: a member's calendar feed. No login, the secret in the URL is the
credential (calendar apps cannot log in); an unknown or revoked secret is a plain 404."""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe

from rallypoynt.orgs.selectors import calendar_feed_member
from rallypoynt.transactions.domain import calendar_feed_render, calendar_feed_window
from rallypoynt.transactions.selectors import calendar_feed_items

CONTENT_TYPE = "text/calendar; charset=utf-8"


@require_safe
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The member's open deadlines, closings and tasks around today, as iCalendar."""
    member = calendar_feed_member(secret=token)
    if member is None:
        raise Http404("No such calendar.")
    org = member.org
    window = calendar_feed_window(time_zone=org.time_zone, now=timezone.now())
    items = calendar_feed_items(actor=member, window=window)
    name = f"{org.display_name} — RallyPoynt"
    body = calendar_feed_render(actor=member, items=items, window=window, name=name).to_ical()
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "private, max-age=300"
    response["ETag"] = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    response["X-Robots-Tag"] = "noindex"
    # Calendar apps poll with If-None-Match; an unchanged feed costs them a 304.
    return get_conditional_response(request, etag=response["ETag"], response=response)
