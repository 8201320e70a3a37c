"""The home page ("My day") and a health check for load balancers."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from rallypoynt.orgs.decorators import member_required
from rallypoynt.web.selectors import home_summary


@login_required
@member_required
def home(request: HttpRequest) -> HttpResponse:
    summary = home_summary(actor=request.membership)
    return render(request, "web/home.html", {"summary": summary})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
