"""Attach the user's current membership (their seat in an org) to each request, and render
the request in the reader's time zone."""

from __future__ import annotations

from django.utils import timezone

from rallypoynt.core.timefmt import reader_zone, zone_named
from rallypoynt.orgs.selectors import membership_for_user

SESSION_ORG_KEY = "rallypoynt_org_id"


class CurrentMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.membership = membership_for_user(
                user=user, org_id=request.session.get(SESSION_ORG_KEY)
            )
        return self.get_response(request)


class ReaderTimeZoneMiddleware:
    """Activate the user's own zone, else their current org's, for this request.

    Runs after CurrentMembershipMiddleware. Pages then show every time as the reader's wall
    clock; without a membership (login, reset pages) the user's own zone or UTC applies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = getattr(request, "membership", None)
        user = getattr(request, "user", None)
        if membership is not None:
            zone = reader_zone(membership)
        elif user is not None and user.is_authenticated and user.time_zone:
            zone = zone_named(user.time_zone)
        else:
            zone = zone_named(None)
        with timezone.override(zone):
            return self.get_response(request)
