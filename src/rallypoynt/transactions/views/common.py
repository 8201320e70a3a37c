"""What the deal pages share: the deal the member may see, and one button's round trip
(its form, one service, back to the page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from rallypoynt.core.forms import ServiceForm
from rallypoynt.core.web import run_service
from rallypoynt.transactions import selectors

# A page of a deal, shown again with a refused form: (request, deal, failed) -> response.
DealPage = Callable[[HttpRequest, Any, ServiceForm | None], HttpResponse]


def deal_or_404(request: HttpRequest, pk: int):
    """The deal if the member may see it; a 404 otherwise (the same as a missing one)."""
    deal = selectors.deal_get(actor=request.membership, deal_id=pk)
    if deal is None:
        raise Http404
    return deal


def deal_action(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[ServiceForm],
    call: Callable[[Any, dict[str, Any]], object],
    success: str | Callable[[dict[str, Any]], str],
    page: DealPage,
    url_name: str,
) -> HttpResponse:
    """One button of a deal's page: its form, then `call(deal, arguments)` (one service), then
    back to the page (`url_name`); a form that does not parse shows the `page` again with its
    errors (400) and changes nothing. `success` is the message, or makes it from the
    arguments."""
    deal = deal_or_404(request, pk)
    form = form_class(request.POST, actor=request.membership, scope=deal)
    if not form.is_valid():
        return page(request, deal, form)
    arguments = form.arguments()
    text = success(arguments) if callable(success) else success
    run_service(request, lambda: call(deal, arguments), text)
    return redirect(url_name, pk=deal.pk)
