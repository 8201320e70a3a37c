"""The org's list of reasons an engagement is lost: read by everyone, edited by managers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rallypoynt.core.errors import ServiceError
from rallypoynt.journeys.forms import LostReasonForm
from rallypoynt.journeys.selectors import lost_reason_list
from rallypoynt.journeys.services.lost_reasons import MANAGE_ACTION, lost_reason_save
from rallypoynt.orgs.decorators import member_page
from rallypoynt.orgs.permissions import can


@member_page
def lost_reason_list_view(request: HttpRequest) -> HttpResponse:
    """List the reasons; a manager adds one, or renames, reorders or retires one by its key."""
    actor = request.membership
    form = LostReasonForm(request.POST or None)
    may_edit = can(actor, MANAGE_ACTION)
    if request.method == "POST" and may_edit and form.is_valid():
        try:
            lost_reason_save(actor=actor, **form.cleaned_data)
        except ServiceError as exc:
            for name, errors in exc.fields.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            return redirect("journeys:lost_reasons")
    context = {
        "reasons": lost_reason_list(actor=actor),
        "form": form,
        "may_edit": may_edit,
    }
    return render(
        request, "journeys/lost_reasons.html", context, status=400 if form.errors else 200
    )
