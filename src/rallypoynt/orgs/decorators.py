"""View guards: a seat in an org is needed for every tenant page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from rallypoynt.orgs.permissions import can


def member_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "membership", None) is None:
            return render(request, "web/no_membership.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def action_required(action: str):
    """Allow the view only to members whose roles permit `action` (403 page otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not can(getattr(request, "membership", None), action):
                return render(request, "web/forbidden.html", {"action": action}, status=403)
            return view(request, *args, **kwargs)

        return member_required(wrapper)

    return decorator


def member_page(view):
    """Login and a seat in an org: the guard of every tenant page. Times show and parse in
    the reader's zone, which ReaderTimeZoneMiddleware activates."""
    return login_required(member_required(view))
