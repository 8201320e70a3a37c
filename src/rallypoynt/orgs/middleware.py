"""Attach the user's current membership (their seat in an org) to each request."""

from __future__ import annotations

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
