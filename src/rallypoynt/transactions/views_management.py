"""Pages: managing a deal — its checklists, the issue log, progress updates to the clients
and the final walk-through. Each page posts to itself (one service per action) and
redirects back, so a reload never repeats a write."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from rallypoynt.contacts.views.people import crm_page
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import ServiceError
from rallypoynt.core.forms import posted_action
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions import forms_management as forms
from rallypoynt.transactions import selectors
from rallypoynt.transactions import selectors_management as reads
from rallypoynt.transactions.checklist_parse import ROLE_LABELS
from rallypoynt.transactions.choices import ChecklistKind
from rallypoynt.transactions.forms_management import EXTRA_ROWS, WALKTHROUGH_AREAS
from rallypoynt.transactions.services import checklists, issues, progress, walkthrough

GET_OR_POST = require_http_methods(["GET", "HEAD", "POST"])


def _run(request: HttpRequest, call, success: str) -> object | None:
    try:
        result = call()
    except ServiceError as exc:
        details = "; ".join(f"{k}: {e}" for k, errs in exc.fields.items() for e in errs)
        messages.error(request, f"{exc.message} {details}".strip())
        return None
    messages.success(request, success)
    return result


def _date(value: str | None) -> date | None:
    """An ISO date from a stored snapshot (forms parse their own dates)."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _deal(request: HttpRequest, pk: int):
    deal = selectors.transaction_get(actor=request.membership, transaction_id=pk)
    if deal is None:
        raise Http404
    return deal


def _context(request: HttpRequest, deal, tab: str, **extra) -> dict:
    return {"deal": deal, "tab": tab, "today": local_today(request.membership.org), **extra}


def _post(request: HttpRequest, deal, actions: dict, success):
    """The posted form of one of the page's `actions` (form, service, takes the deal), its
    service run; returns the form when it does not parse, so the page shows why. `success`
    is the message, or makes it from the service's arguments."""
    action = posted_action(request.POST, actions) if len(actions) > 1 else next(iter(actions))
    if action is None:
        raise Http404
    form_class, service, takes_deal = actions[action]
    form = form_class(request.POST, actor=request.membership, scope=deal)
    if not form.is_valid():
        return form
    arguments = form.arguments() | ({"transaction_id": deal.pk} if takes_deal else {})
    text = success(arguments) if callable(success) else success
    _run(request, lambda: service(actor=request.membership, **arguments), text)
    return None


CHECKLIST_ACTIONS = {
    "mark": (forms.ChecklistMarkForm, checklists.checklist_item_mark, False),
    "add": (forms.ChecklistAddForm, checklists.checklist_item_add, True),
    "apply": (forms.ChecklistApplyForm, checklists.checklists_apply_for, True),
}
ISSUE_ACTIONS = {
    "raise": (forms.IssueRaiseForm, issues.issue_raise, True),
    "resolve": (forms.IssueResolveForm, issues.issue_resolve, False),
    "reopen": (forms.IssueReopenForm, issues.issue_reopen, False),
}
PROGRESS_ACTIONS = {"post": (forms.ProgressForm, progress.progress_update_post, True)}
WALKTHROUGH_ACTIONS = {"record": (forms.WalkthroughForm, walkthrough.walkthrough_record, True)}


def _progress_posted(arguments: dict) -> str:
    return "Update sent to the clients." if arguments["send"] else "Update saved."


def _page(request: HttpRequest, template: str, context: dict, failed) -> HttpResponse:
    """A management page; a refused form (400) shows its errors and nothing changed."""
    context["failed"] = failed
    return render(request, template, context, status=400 if failed else 200)


@crm_page
@GET_OR_POST
def checklists_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The deal's checklists by kind: due dates, overdue ones marked, done/n-a buttons."""
    deal = _deal(request, pk)
    failed = None
    if request.method == "POST":
        failed = _post(request, deal, CHECKLIST_ACTIONS, "Checklist updated.")
        if failed is None:
            return redirect("transactions:manage_checklists", pk=deal.pk)
    groups = reads.checklist_groups(transaction=deal)
    for group in groups:
        for item in group["items"]:
            item.role_label = ROLE_LABELS.get(item.responsible_role, item.responsible_role)
    context = _context(
        request,
        deal,
        "checklists",
        groups=groups,
        kinds=ChecklistKind.choices,
        roles=sorted(ROLE_LABELS.items(), key=lambda pair: pair[1]),
    )
    return _page(request, "transactions/manage_checklists.html", context, failed)


@crm_page
@GET_OR_POST
def issues_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The issue resolution log: raise an issue, resolve or reopen one."""
    deal = _deal(request, pk)
    failed = None
    if request.method == "POST":
        failed = _post(request, deal, ISSUE_ACTIONS, "Issue log updated.")
        if failed is None:
            return redirect("transactions:manage_issues", pk=deal.pk)
    context = _context(
        request,
        deal,
        "issues",
        issues=reads.issue_list(transaction=deal),
        members=member_list(actor=request.membership).prefetch_related(None),
    )
    return _page(request, "transactions/manage_issues.html", context, failed)


@crm_page
@GET_OR_POST
def progress_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the deal stands, a form to post an update (and send it), and the history."""
    deal = _deal(request, pk)
    failed = None
    if request.method == "POST":
        failed = _post(request, deal, PROGRESS_ACTIONS, _progress_posted)
        if failed is None:
            return redirect("transactions:manage_progress", pk=deal.pk)
    updates = list(reads.progress_update_list(transaction=deal)[:50])
    for update in updates:
        update.snap = _dated(update.snapshot)
    context = _context(
        request,
        deal,
        "progress",
        snapshot=_dated(reads.progress_snapshot(deal=deal)),
        updates=updates,
        recipients=progress.progress_recipients(deal),
    )
    return _page(request, "transactions/manage_progress.html", context, failed)


def _dated(snapshot: dict) -> dict:
    """The snapshot with its ISO dates as dates, for the template's date filter."""
    dates = {k: _date(v) for k, v in snapshot.get("dates", {}).items()}
    deadlines = dict(snapshot.get("deadlines", {}))
    deadlines["next"] = [{**d, "due_on": _date(d.get("due_on"))} for d in deadlines.get("next", [])]
    return {**snapshot, "dates": dates, "deadlines": deadlines}


@crm_page
@GET_OR_POST
def walkthrough_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the final walk-through area by area; past reports below."""
    deal = _deal(request, pk)
    failed = None
    if request.method == "POST":
        failed = _post(request, deal, WALKTHROUGH_ACTIONS, "Walk-through recorded.")
        if failed is None:
            return redirect("transactions:manage_walkthrough", pk=deal.pk)
    areas = [*WALKTHROUGH_AREAS, *[""] * EXTRA_ROWS]
    context = _context(
        request,
        deal,
        "walkthrough",
        reports=reads.walkthrough_list(transaction=deal),
        areas=list(enumerate(areas)),
    )
    return _page(request, "transactions/manage_walkthrough.html", context, failed)


urlpatterns = [
    path("<int:pk>/checklists/", checklists_page, name="manage_checklists"),
    path("<int:pk>/issues/", issues_page, name="manage_issues"),
    path("<int:pk>/progress/", progress_page, name="manage_progress"),
    path("<int:pk>/walkthrough/", walkthrough_page, name="manage_walkthrough"),
]
