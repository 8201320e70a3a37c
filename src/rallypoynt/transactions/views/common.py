"""What the deal pages share: the deal the member may see, and their buttons as data (each its
form, one service, back to the page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rallypoynt.core.forms import ServiceForm
from rallypoynt.core.web import ActionPage, PageAction
from rallypoynt.orgs.decorators import member_page
from rallypoynt.transactions import selectors

# A page of a deal, shown again with a refused form: (request, deal, failed) -> response.
DealPage = Callable[[HttpRequest, Any, ServiceForm | None], HttpResponse]


def deal_or_404(request: HttpRequest, pk: int):
    """The deal if the member may see it; a 404 otherwise (the same as a missing one)."""
    deal = selectors.deal_get(actor=request.membership, deal_id=pk)
    if deal is None:
        raise Http404
    return deal


@dataclass(frozen=True)
class DealAction(PageAction):
    """A button of a deal page. Most services take the deal (`deal_id`); those acting on a row
    of it (an offer, an issue) find it from the row, which the form scoped to this deal."""

    with_deal: bool = True


def deal_action(
    request: HttpRequest, pk: int, action: DealAction, *, page: DealPage, url_name: str
) -> HttpResponse:
    """One button of a deal's page: its form, then its service, then back to the page
    (`url_name`); a form that does not parse shows the `page` again with its errors (400) and
    changes nothing."""
    deal = deal_or_404(request, pk)
    form = action.bind(request, scope=deal)
    if not form.is_valid():
        return page(request, deal, form)
    ids = {"deal_id": deal.pk} if action.with_deal else {}
    action.run(request, form, **ids)
    return redirect(url_name, pk=deal.pk)


def deal_buttons(page: DealPage, url_name: str) -> ActionPage:
    """The buttons of a deal page (`page` draws it, `url_name` is its URL): for members, posted
    only, each a `deal_action`."""

    def post(request: HttpRequest, action: DealAction, pk: int) -> HttpResponse:
        return deal_action(request, pk, action, page=page, url_name=url_name)

    return ActionPage(post, (member_page, require_POST), module=page.__module__)
