"""Pages: my deals and their deadlines this week; a deal with its deadline timeline, offers
side by side, and one small view per button that moves it (each posts to its own URL)."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from rallypoynt.contacts.services import csv_safe
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.forms import ServiceForm
from rallypoynt.core.pagination import paginate
from rallypoynt.core.web import run_service
from rallypoynt.journeys.selectors import engagement_list
from rallypoynt.orgs.decorators import member_page
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions import forms, selectors
from rallypoynt.transactions.choices import DeadlineKind, DealStatus, PartyRole
from rallypoynt.transactions.models import Deal
from rallypoynt.transactions.services import (
    closing,
    deadlines,
    offers,
    parties,
    resolution,
)
from rallypoynt.transactions.services import deals as deal_services
from rallypoynt.transactions.views import said
from rallypoynt.transactions.views.common import DealAction, deal_buttons, deal_or_404

DEALS_PER_PAGE = 50


def _deal_page(request: HttpRequest) -> dict:
    """A page of my deals, by status when asked; a bad status or cursor says so and shows
    the first page of all."""
    query = forms.DealStatusForm(request.GET)
    status, cursor = "", None
    if query.is_valid():
        status, cursor = query.cleaned_data["status"], query.cleaned_data["cursor"] or None
    else:
        messages.error(request, "Unknown deal status or page. Showing all deals.")
    try:
        deals = selectors.deal_list(actor=request.membership, status=status)
        page = paginate(deals, cursor=cursor, limit=DEALS_PER_PAGE, ordering=("-id",))
    except ValidationFailed as exc:
        messages.error(request, f"{exc.message} Showing all deals.")
        status = ""
        deals = selectors.deal_list(actor=request.membership)
        page = paginate(deals, cursor=None, limit=DEALS_PER_PAGE, ordering=("-id",))
    return {"deals": page["items"], "next_cursor": page["next_cursor"], "status": status}


def _list_page(request: HttpRequest, failed: ServiceForm | None = None) -> HttpResponse:
    """My deals and this week's deadlines; a refused "open a deal" form shows why."""
    actor = request.membership
    context = {
        **_deal_page(request),
        "statuses": DealStatus.choices,
        "week": list(selectors.deadlines_upcoming(actor=actor, days=7)[:100]),
        "engagements": engagement_list(actor=actor, status="active")[:200],
        "now": timezone.now(),
        "failed": failed,
    }
    return render(request, "transactions/list.html", context, status=400 if failed else 200)


@member_page
@require_safe
def deal_list_view(request: HttpRequest) -> HttpResponse:
    """My deals (by status, a page at a time), and every open deadline due this week across
    them (overdue first)."""
    return _list_page(request)


@member_page
@require_POST
def deal_create_view(request: HttpRequest) -> HttpResponse:
    """Open a deal; a form that does not parse shows the list again with its errors."""
    form = forms.DealOpenForm(request.POST, actor=request.membership)
    if not form.is_valid():
        return _list_page(request, failed=form)
    opened = run_service(
        request,
        lambda: deal_services.deal_open(actor=request.membership, **form.arguments()),
        "Deal opened.",
    )
    if not opened:
        return redirect("transactions:list")
    return redirect("transactions:detail", pk=opened.result.pk)


def _detail_page(request: HttpRequest, deal, failed: ServiceForm | None = None) -> HttpResponse:
    """The deal page; a refused form (400) shows its errors above the timeline."""
    context = {
        "deal": deal,
        "deadlines": list(selectors.deadline_list(deal=deal)),
        "parties": selectors.party_list(deal=deal),
        "party_roles": PartyRole.choices,
        "members": member_list(actor=request.membership).select_related("user"),
        "summary": selectors.summary_get(deal=deal),
        "journeys": selectors.deal_engagements(deal=deal),
        **_offers(deal),
        "kinds": DeadlineKind.choices,
        "now": timezone.now(),
        "failed": failed,
    }
    return render(request, "transactions/detail.html", context, status=400 if failed else 200)


def _offers(deal: Deal) -> dict:
    """The offers side by side; net to seller only when we list the home, after the listing
    commission set on the deal."""
    fee = selectors.listing_fee(deal=deal)
    rows = offers.offers_compare(
        deal,
        commission_rate=fee.rate if fee else Decimal(0),
        closing_costs=fee.flat if fee else Decimal(0),
    )
    return {"offers": rows, "listing_fee": fee}


@member_page
@require_safe
def deal_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The deadline timeline, the offers side by side with net to seller, and the actions."""
    return _detail_page(request, deal_or_404(request, pk))


# The buttons of the deal page, each its own view and URL; back to the deal page after.
DETAIL = deal_buttons(_detail_page, "transactions:detail")

deadline_add_view = DETAIL.button(
    "deadline_add_view",
    "Add a contingency or milestone counted from acceptance or closing.",
    DealAction(forms.DeadlineForm, deadlines.deadline_add, said.deadline_added),
)
deadline_resolve_view = DETAIL.button(
    "deadline_resolve_view",
    "Remove (satisfy), waive or fail one of the deal's deadlines.",
    DealAction(
        forms.ResolveForm, resolution.deadline_resolve, said.deadline_resolved, with_deal=False
    ),
)
deal_dates_amend_view = DETAIL.button(
    "deal_dates_amend_view",
    "Move the acceptance or closing date by amendment; the deadlines are recounted.",
    DealAction(forms.AmendForm, deadlines.deal_dates_amend, said.dates_amended),
)
offer_create_view = DETAIL.button(
    "offer_create_view",
    "Record a buyer's offer on the deal.",
    DealAction(forms.OfferForm, offers.offer_create, said.offer_recorded),
)
offer_accept_view = DETAIL.button(
    "offer_accept_view",
    "Accept one of the deal's offers: the contract.",
    DealAction(forms.AcceptForm, offers.offer_accept, said.offer_accepted, with_deal=False),
)
party_add_view = DETAIL.button(
    "party_add_view",
    "Put someone on the deal's team contact list.",
    DealAction(forms.PartyForm, parties.party_add, said.party_added),
)
party_remove_view = DETAIL.button(
    "party_remove_view",
    "Take someone off the deal's team contact list.",
    DealAction(
        forms.PartyRemoveForm,
        parties.party_remove,
        "Taken off the team contact list.",
        with_deal=False,
    ),
)
deal_close_view = DETAIL.button(
    "deal_close_view",
    "Record the closing: final price, commission made final, the summary record.",
    DealAction(forms.CloseForm, closing.deal_close, said.closing_recorded),
)
deal_terminate_view = DETAIL.button(
    "deal_terminate_view",
    "End the contract, saying why.",
    DealAction(forms.TerminateForm, closing.deal_terminate, said.contract_terminated),
)


@member_page
@require_safe
def deal_contacts_csv_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The team contact list as CSV (for the client, the lender, the title company)."""
    deal = deal_or_404(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="deal-{deal.pk}-contacts.csv"'
    out = csv.writer(response)
    out.writerow(["role", "side", "name", "company", "email", "phone", "license"])
    for p in selectors.party_list(deal=deal):
        cells = [p.get_role_display(), p.side, p.name, p.company, p.email, p.phone]
        out.writerow([csv_safe(cell) for cell in [*cells, p.license_number]])
    return response
