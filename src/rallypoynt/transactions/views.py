"""Pages: my deals and their deadlines this week; a deal with its deadline timeline, offers
side by side, and the buttons that move it."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rallypoynt.contacts.services.export import csv_safe
from rallypoynt.contacts.views.people import crm_page
from rallypoynt.core.errors import ServiceError, ValidationFailed
from rallypoynt.core.forms import ServiceForm
from rallypoynt.core.pagination import paginate
from rallypoynt.journeys.selectors import engagement_list
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions import forms, selectors
from rallypoynt.transactions.choices import DeadlineKind, PartyRole, TransactionStatus
from rallypoynt.transactions.selectors_links import deal_engagements
from rallypoynt.transactions.services import (
    closing,
    deadlines,
    offers,
    parties,
    resolution,
    transactions,
)

DEALS_PER_PAGE = 50


def _run(request: HttpRequest, call, success: str):
    try:
        result = call()
    except ServiceError as exc:
        details = "; ".join(e for errs in exc.fields.values() for e in errs)
        messages.error(request, f"{exc.message} {details}".strip())
        return None
    messages.success(request, success)
    return result


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
        deals = selectors.transaction_list(actor=request.membership, status=status)
        page = paginate(deals, cursor=cursor, limit=DEALS_PER_PAGE, ordering=("-id",))
    except ValidationFailed as exc:
        messages.error(request, f"{exc.message} Showing all deals.")
        status = ""
        deals = selectors.transaction_list(actor=request.membership)
        page = paginate(deals, cursor=None, limit=DEALS_PER_PAGE, ordering=("-id",))
    return {"deals": page["items"], "next_cursor": page["next_cursor"], "status": status}


def _list_page(request: HttpRequest, failed: ServiceForm | None = None) -> HttpResponse:
    """My deals and this week's deadlines; a refused "open a transaction" form shows why."""
    actor = request.membership
    context = {
        **_deal_page(request),
        "statuses": TransactionStatus.choices,
        "week": list(selectors.deadlines_upcoming(actor=actor, days=7)[:100]),
        "engagements": engagement_list(actor=actor, status="active")[:200],
        "now": timezone.now(),
        "failed": failed,
    }
    return render(request, "transactions/list.html", context, status=400 if failed else 200)


@crm_page
def deal_list(request: HttpRequest) -> HttpResponse:
    """My deals (by status, a page at a time), and every open deadline due this week across
    them (overdue first)."""
    return _list_page(request)


@crm_page
@require_POST
def deal_create(request: HttpRequest) -> HttpResponse:
    """Open a transaction; a form that does not parse shows the list again with its errors."""
    form = forms.DealOpenForm(request.POST, actor=request.membership)
    if not form.is_valid():
        return _list_page(request, failed=form)
    deal = _run(
        request,
        lambda: transactions.transaction_open(actor=request.membership, **form.arguments()),
        "Transaction opened.",
    )
    return redirect("transactions:detail", pk=deal.pk) if deal else redirect("transactions:list")


def _deal_or_404(request: HttpRequest, pk: int):
    deal = selectors.transaction_get(actor=request.membership, transaction_id=pk)
    if deal is None:
        raise Http404
    return deal


def _detail_page(request: HttpRequest, deal, failed: ServiceForm | None = None) -> HttpResponse:
    """The deal page; a refused form (400) shows its errors above the timeline."""
    context = {
        "deal": deal,
        "deadlines": list(selectors.deadline_list(transaction=deal)),
        "parties": selectors.party_list(transaction=deal),
        "party_roles": PartyRole.choices,
        "members": member_list(actor=request.membership).select_related("user"),
        "summary": selectors.summary_get(transaction=deal),
        "journeys": deal_engagements(deal=deal),
        "offers": offers.offers_compare(
            deal, commission_rate=Decimal("0.05"), closing_costs=Decimal(0)
        ),
        "kinds": DeadlineKind.choices,
        "now": timezone.now(),
        "failed": failed,
    }
    return render(request, "transactions/detail.html", context, status=400 if failed else 200)


@crm_page
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The deadline timeline, the offers side by side with net to seller, and the actions."""
    return _detail_page(request, _deal_or_404(request, pk))


# Each button of the deal page: its form, its service, and whether the service takes the
# deal (the others name their row: a deadline, an offer, a party).
DEAL_ACTIONS = {
    "deadline": (forms.DeadlineForm, deadlines.deadline_add, True),
    "resolve": (forms.ResolveForm, resolution.deadline_resolve, False),
    "amend": (forms.AmendForm, deadlines.transaction_dates_amend, True),
    "offer": (forms.OfferForm, offers.offer_create, True),
    "accept": (forms.AcceptForm, offers.offer_accept, False),
    "party": (forms.PartyForm, parties.party_add, True),
    "party-remove": (forms.PartyRemoveForm, parties.party_remove, False),
    "close": (forms.CloseForm, closing.transaction_close, True),
    "terminate": (forms.TerminateForm, closing.transaction_terminate, True),
}


@crm_page
@require_POST
def deal_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every button of the deal page: its form, then one service, then back to the page; a
    form that does not parse shows the page again with its errors and changes nothing."""
    if action not in DEAL_ACTIONS:
        raise Http404
    deal = _deal_or_404(request, pk)
    form_class, service, takes_deal = DEAL_ACTIONS[action]
    form = form_class(request.POST, actor=request.membership, scope=deal)
    if not form.is_valid():
        return _detail_page(request, deal, failed=form)
    arguments = form.arguments() | ({"transaction_id": deal.pk} if takes_deal else {})
    _run(request, lambda: service(actor=request.membership, **arguments), "Done.")
    return redirect("transactions:detail", pk=pk)


@crm_page
def deal_contacts_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The team contact list as CSV (for the client, the lender, the title company)."""
    deal = selectors.transaction_get(actor=request.membership, transaction_id=pk)
    if deal is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="deal-{deal.pk}-contacts.csv"'
    out = csv.writer(response)
    out.writerow(["role", "side", "name", "company", "email", "phone", "license"])
    for p in selectors.party_list(transaction=deal):
        cells = [p.get_role_display(), p.side, p.name, p.company, p.email, p.phone]
        out.writerow([csv_safe(cell) for cell in [*cells, p.license_number]])
    return response
