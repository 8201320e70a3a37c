"""The home page ("My day") and a health check for load balancers."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from rallypoynt.leads.selectors import my_day
from rallypoynt.orgs.decorators import member_required
from rallypoynt.web.selectors import home_summary


@login_required
@member_required
def home_view(request: HttpRequest) -> HttpResponse:
    """My day: tasks due, leads waiting for a first response, new leads, contacts by stage."""
    actor = request.membership
    context = {"summary": home_summary(actor=actor), "day": my_day(actor=actor)}
    return render(request, "web/home.html", context)


def healthz_view(request: HttpRequest) -> JsonResponse:
    """The load balancer's probe: the process answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
