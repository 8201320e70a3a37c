"""Pages: my deals and their deadlines this week; a deal with its deadline timeline, offers
side by side, and the buttons that move it."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from rallypoynt.contacts.services.export import csv_safe
from rallypoynt.contacts.views.people import crm_page
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import ServiceError, ValidationFailed
from rallypoynt.core.pagination import paginate
from rallypoynt.journeys.selectors import engagement_list
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions import selectors, views_commission, views_management
from rallypoynt.transactions.choices import DeadlineKind, PartyRole, TransactionStatus
from rallypoynt.transactions.forms import offer_terms_from_post
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


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


MONEY_MAX = Decimal("999999999999.99")  # the money columns' DecimalField(14, 2)
ID_MAX = 2**63 - 1
DAYS_MAX = 100_000


def _money(value: str | None) -> Decimal | None:
    try:
        amount = Decimal(value.replace(",", "").replace("$", "")) if value else None
    except InvalidOperation:
        return None
    if amount is not None and not (amount.is_finite() and abs(amount) <= MONEY_MAX):
        raise ValidationFailed("Not an amount.", fields={"amount": [f"at most {MONEY_MAX}"]})
    return amount


def _whole(post, name: str, *, bound: int = ID_MAX) -> int:
    """A whole number from the form (0 when absent); anything else is a form error."""
    raw = (post.get(name) or "").strip() or "0"
    try:
        number = int(raw)
    except ValueError:
        number = None
    if number is None or abs(number) > bound:
        raise ValidationFailed(
            "Not a whole number.", fields={name: [f"a whole number up to {bound}"]}
        )
    return number


def _deal_page(request: HttpRequest) -> dict:
    """A page of my deals, by status when asked; a bad status or cursor says so and shows
    the first page of all."""
    status, cursor = request.GET.get("status", ""), request.GET.get("cursor") or None
    try:
        deals = selectors.transaction_list(actor=request.membership, status=status)
        page = paginate(deals, cursor=cursor, limit=DEALS_PER_PAGE, ordering=("-id",))
    except ValidationFailed as exc:
        messages.error(request, f"{exc.message} Showing all deals.")
        status = ""
        deals = selectors.transaction_list(actor=request.membership)
        page = paginate(deals, cursor=None, limit=DEALS_PER_PAGE, ordering=("-id",))
    return {"deals": page["items"], "next_cursor": page["next_cursor"], "status": status}


@crm_page
def deal_list(request: HttpRequest) -> HttpResponse:
    """My deals (by status, a page at a time), and every open deadline due this week across
    them (overdue first)."""
    actor = request.membership
    context = {
        **_deal_page(request),
        "statuses": TransactionStatus.choices,
        "week": list(selectors.deadlines_upcoming(actor=actor, days=7)[:100]),
        "engagements": engagement_list(actor=actor, status="active")[:200],
        "now": timezone.now(),
    }
    return render(request, "transactions/list.html", context)


@crm_page
@require_POST
def deal_create(request: HttpRequest) -> HttpResponse:
    post = request.POST
    deal = _run(
        request,
        lambda: transactions.transaction_open(
            actor=request.membership,
            engagement_id=_whole(post, "engagement_id"),
            kind=post.get("kind", ""),
            street=post.get("street", ""),
            city=post.get("city", ""),
            state=post.get("state", ""),
            postal_code=post.get("postal_code", ""),
            list_price=_money(post.get("list_price")),
            accepted_on=_date(post.get("accepted_on")),
            closing_on=_date(post.get("closing_on")),
        ),
        "Transaction opened.",
    )
    return redirect("transactions:detail", pk=deal.pk) if deal else redirect("transactions:list")


@crm_page
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The deadline timeline, the offers side by side with net to seller, and the actions."""
    deal = selectors.transaction_get(actor=request.membership, transaction_id=pk)
    if deal is None:
        raise Http404
    rows = list(selectors.deadline_list(transaction=deal))
    context = {
        "deal": deal,
        "deadlines": rows,
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
    }
    return render(request, "transactions/detail.html", context)


@crm_page
@require_POST
def deal_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every button of the deal page: one service each, then back to the page."""
    actor, post = request.membership, request.POST
    calls = {
        "deadline": lambda: deadlines.deadline_add(
            actor=actor,
            transaction_id=pk,
            kind=post.get("kind", ""),
            amount=_whole(post, "amount", bound=DAYS_MAX),
            day_type=post.get("day_type", "calendar"),
            anchor=post.get("anchor", "acceptance"),
            roll=post.get("roll", "next_business_day"),
        ),
        "resolve": lambda: resolution.deadline_resolve(
            actor=actor,
            deadline_id=_whole(post, "deadline_id"),
            status=post.get("status", ""),
        ),
        "amend": lambda: deadlines.transaction_dates_amend(
            actor=actor,
            transaction_id=pk,
            reason=post.get("reason", ""),
            accepted_on=_date(post.get("accepted_on")),
            closing_on=_date(post.get("closing_on")),
        ),
        "offer": lambda: offers.offer_create(
            actor=actor,
            transaction_id=pk,
            buyer_name=post.get("buyer_name", ""),
            terms=offer_terms_from_post(post),
        ),
        "accept": lambda: offers.offer_accept(actor=actor, offer_id=_whole(post, "offer_id")),
        "party": lambda: parties.party_add(
            actor=actor,
            transaction_id=pk,
            role=post.get("role", ""),
            member_id=_whole(post, "member_id") or None,
            **{key: post.get(key, "") for key in parties.DETAILS},
        ),
        "party-remove": lambda: parties.party_remove(
            actor=actor, party_id=_whole(post, "party_id")
        ),
        "close": lambda: closing.transaction_close(
            actor=actor,
            transaction_id=pk,
            closed_on=_date(post.get("closed_on")) or local_today(request.membership.org),
            final_price=_money(post.get("final_price")),
            possession_on=_date(post.get("possession_on")),
        ),
        "terminate": lambda: closing.transaction_terminate(
            actor=actor, transaction_id=pk, reason=post.get("reason", "")
        ),
    }
    if action not in calls:
        raise Http404
    _run(request, calls[action], "Done.")
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


app_name = "transactions"
urlpatterns = [
    path("", deal_list, name="list"),
    path("new/", deal_create, name="create"),
    path("<int:pk>/", deal_detail, name="detail"),
    path("<int:pk>/contacts.csv", deal_contacts_csv, name="contacts_csv"),
    *views_management.urlpatterns,
    *views_commission.urlpatterns,
    path("<int:pk>/<str:action>/", deal_act, name="act"),
]
