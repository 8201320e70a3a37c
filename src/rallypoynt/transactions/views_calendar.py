"""GET /calendar/<secret>.ics: a member's calendar feed. No login, the secret in the URL is the
credential (calendar apps cannot log in); an unknown or revoked secret is a plain 404."""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe

from rallypoynt.orgs.selectors import calendar_feed_member
from rallypoynt.transactions.calendar_feed import calendar_feed_build

CONTENT_TYPE = "text/calendar; charset=utf-8"


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    member = calendar_feed_member(secret=token)
    if member is None:
        raise Http404("No such calendar.")
    body = calendar_feed_build(actor=member).to_ical()
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "private, max-age=300"
    response["ETag"] = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    response["X-Robots-Tag"] = "noindex"
    # Calendar apps poll with If-None-Match; an unchanged feed costs them a 304.
    return get_conditional_response(request, etag=response["ETag"], response=response)


app_name = "calendar"
urlpatterns = [path("<str:token>.ics", calendar_feed, name="feed")]
