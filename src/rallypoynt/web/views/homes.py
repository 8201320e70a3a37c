"""The homes (one per role: My day, My team, Closings, Compliance review, Brokerage) and a
health check for load balancers."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from rallypoynt.orgs.decorators import member_required
from rallypoynt.web.forms import HomeForm
from rallypoynt.web.selectors import HOMES, home_data, homes_for

HOME_KEY = "home"  # the session remembers the home last chosen


@login_required
@member_required
def home_view(request: HttpRequest) -> HttpResponse:
    """The member's home: the one they chose (`?home=`, then remembered), else their role's."""
    actor = request.membership
    homes = homes_for(actor)
    form = HomeForm(request.GET, homes=homes)
    chosen = form.cleaned_data["home"] if form.is_valid() else ""
    if chosen:
        request.session[HOME_KEY] = chosen
    key = chosen or request.session.get(HOME_KEY, "")
    home = HOMES[key] if key in {h.key for h in homes} else homes[0]
    context = {"home": home, "homes": homes, **home_data(home, actor=actor)}
    return render(request, f"web/home_{home.key}.html", context)


def healthz_view(request: HttpRequest) -> JsonResponse:
    """The load balancer's probe: the process answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
