"""The header search: its results page (`/search/?q=`) and the JSON its dropdown reads
(`/search/suggest?q=`), both from `search_results`, so they always agree.

The dropdown is progressive enhancement (static/rallypoynt/search.js, no inline script under
the CSP): without script the header's form opens the results page.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from rallypoynt.core.api.errors import STATUS_CODES
from rallypoynt.orgs.decorators import member_page
from rallypoynt.web.forms import SearchForm
from rallypoynt.web.selectors import SearchResults, search_results

PAGE_LIMIT = 20  # of each kind on the results page
SUGGEST_LIMIT = 5  # of each kind in the dropdown


def _joined(*parts: Any) -> str:
    return " · ".join(str(part) for part in parts if part)


def search_groups(results: SearchResults) -> list[dict[str, Any]]:
    """Each kind's hits as the page and the dropdown show them: a label, a line of detail
    and the address of the record's page."""
    contacts = [
        {
            "label": c.full_name or c.primary_email or "(no name)",
            "detail": _joined(c.primary_email, c.primary_phone, c.get_stage_display()),
            "url": reverse("contacts:detail", args=[c.pk]),
        }
        for c in results.contacts
    ]
    deals = [
        {
            "label": str(d) or f"Deal {d.pk}",
            "detail": _joined(d.get_status_display(), d.mls_number and f"MLS {d.mls_number}"),
            "url": reverse("transactions:detail", args=[d.pk]),
        }
        for d in results.deals
    ]
    engagements = [
        {
            "label": e.title,
            "detail": _joined(
                e.get_side_display(),
                e.get_status_display(),
                e.agent.user.get_full_name() or e.agent.user.email,
            ),
            "url": reverse("journeys:engagement", args=[e.pk]),
        }
        for e in results.engagements
    ]
    groups = [("contacts", "Contacts", contacts), ("deals", "Deals", deals)]
    groups.append(("engagements", "Clients in the pipeline", engagements))
    return [{"key": key, "label": label, "items": items} for key, label, items in groups]


@member_page
def search_view(request: HttpRequest) -> HttpResponse:
    """Everything the member may see that matches `q`, by kind; keyboard friendly."""
    if "q" not in request.GET:
        return render(request, "web/search.html", {"form": SearchForm()})
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render(request, "web/search.html", {"form": form}, status=400)
    results = search_results(
        actor=request.membership, text=form.cleaned_data["q"], limit=PAGE_LIMIT
    )
    context = {
        "form": form,
        "q": form.cleaned_data["q"],
        "count": results.count,
        "groups": search_groups(results),
        "limit": PAGE_LIMIT,
    }
    return render(request, "web/search.html", context)


@member_page
def search_suggest_view(request: HttpRequest) -> JsonResponse:
    """The dropdown's matches as JSON: {"q", "groups": [{"key", "label", "items": [{"label",
    "detail", "url"}]}], "all_url"}; a query that cannot match answers 400 with the reason."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        message = fields["q"][0]
        body = {"error": {"code": STATUS_CODES[400], "message": message, "fields": fields}}
        return JsonResponse(body, status=400)
    q = form.cleaned_data["q"]
    results = search_results(actor=request.membership, text=q, limit=SUGGEST_LIMIT)
    return JsonResponse(
        {
            "q": q,
            "groups": [g for g in search_groups(results) if g["items"]],
            "all_url": f"{reverse('web:search')}?{urlencode({'q': q})}",
        }
    )
