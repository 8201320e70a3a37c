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
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions import selectors
from rallypoynt.transactions import selectors_management as reads
from rallypoynt.transactions.checklist_parse import ROLE_LABELS
from rallypoynt.transactions.choices import ChecklistKind
from rallypoynt.transactions.services import checklists, issues, progress, walkthrough

WALKTHROUGH_AREAS = (
    "Agreed repairs",
    "Kitchen and appliances",
    "Bathrooms and plumbing",
    "Heating and cooling",
    "Electrical, lights and outlets",
    "Doors, windows and locks",
    "Inclusions left as agreed",
    "Clean, empty of debris",
)
EXTRA_ROWS = 2
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
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int:
    try:
        number = int(value or 0)
    except ValueError:
        return 0
    return number if abs(number) < 2**63 else 0  # no row has that id


def _deal(request: HttpRequest, pk: int):
    deal = selectors.transaction_get(actor=request.membership, transaction_id=pk)
    if deal is None:
        raise Http404
    return deal


def _context(request: HttpRequest, deal, tab: str, **extra) -> dict:
    return {"deal": deal, "tab": tab, "today": local_today(request.membership.org), **extra}


@crm_page
@GET_OR_POST
def checklists_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The deal's checklists by kind: due dates, overdue ones marked, done/n-a buttons."""
    deal = _deal(request, pk)
    if request.method == "POST":
        actor, post = request.membership, request.POST
        calls = {
            "mark": lambda: checklists.checklist_item_mark(
                actor=actor,
                item_id=_int(post.get("item_id")),
                status=post.get("status", ""),
                note=post.get("note", ""),
            ),
            "add": lambda: checklists.checklist_item_add(
                actor=actor,
                transaction_id=deal.pk,
                kind=post.get("kind", ""),
                title=post.get("title", ""),
                due_on=_date(post.get("due_on")),
                role=post.get("role", ""),
            ),
            "apply": lambda: checklists.checklists_apply_for(
                actor=actor, transaction_id=deal.pk, kinds=post.getlist("kinds") or None
            ),
        }
        action = post.get("action", "")
        if action not in calls:
            raise Http404
        _run(request, calls[action], "Checklist updated.")
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
    return render(request, "transactions/manage_checklists.html", context)


@crm_page
@GET_OR_POST
def issues_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The issue resolution log: raise an issue, resolve or reopen one."""
    deal = _deal(request, pk)
    if request.method == "POST":
        actor, post = request.membership, request.POST
        issue_id = _int(post.get("issue_id"))
        calls = {
            "raise": lambda: issues.issue_raise(
                actor=actor,
                transaction_id=deal.pk,
                title=post.get("title", ""),
                description=post.get("description", ""),
                owner_id=_int(post.get("owner_id")) or None,
                due_on=_date(post.get("due_on")),
            ),
            "resolve": lambda: issues.issue_resolve(
                actor=actor,
                issue_id=issue_id,
                resolution=post.get("resolution", ""),
                resolved_on=_date(post.get("resolved_on")),
            ),
            "reopen": lambda: issues.issue_reopen(actor=actor, issue_id=issue_id),
        }
        action = post.get("action", "")
        if action not in calls:
            raise Http404
        _run(request, calls[action], "Issue log updated.")
        return redirect("transactions:manage_issues", pk=deal.pk)
    context = _context(
        request,
        deal,
        "issues",
        issues=reads.issue_list(transaction=deal),
        members=member_list(actor=request.membership).prefetch_related(None),
    )
    return render(request, "transactions/manage_issues.html", context)


@crm_page
@GET_OR_POST
def progress_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the deal stands, a form to post an update (and send it), and the history."""
    deal = _deal(request, pk)
    if request.method == "POST":
        send = request.POST.get("send") == "1"
        _run(
            request,
            lambda: progress.progress_update_post(
                actor=request.membership,
                transaction_id=deal.pk,
                note=request.POST.get("note", ""),
                send=send,
            ),
            "Update sent to the clients." if send else "Update saved.",
        )
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
    return render(request, "transactions/manage_progress.html", context)


def _dated(snapshot: dict) -> dict:
    """The snapshot with its ISO dates as dates, for the template's date filter."""
    dates = {k: _date(v) for k, v in snapshot.get("dates", {}).items()}
    deadlines = dict(snapshot.get("deadlines", {}))
    deadlines["next"] = [{**d, "due_on": _date(d.get("due_on"))} for d in deadlines.get("next", [])]
    return {**snapshot, "dates": dates, "deadlines": deadlines}


def _findings(post) -> list[dict]:
    rows = []
    for i in range(len(WALKTHROUGH_AREAS) + EXTRA_ROWS):
        area = post.get(f"area_{i}", "").strip()
        if area:
            rows.append(
                {"area": area, "ok": post.get(f"ok_{i}") != "0", "note": post.get(f"note_{i}", "")}
            )
    return rows


@crm_page
@GET_OR_POST
def walkthrough_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the final walk-through area by area; past reports below."""
    deal = _deal(request, pk)
    if request.method == "POST":
        post = request.POST
        _run(
            request,
            lambda: walkthrough.walkthrough_record(
                actor=request.membership,
                transaction_id=deal.pk,
                done_on=_date(post.get("done_on")) or local_today(request.membership.org),
                attendees=post.get("attendees", ""),
                findings=_findings(post),
                notes=post.get("notes", ""),
            ),
            "Walk-through recorded.",
        )
        return redirect("transactions:manage_walkthrough", pk=deal.pk)
    areas = [*WALKTHROUGH_AREAS, *[""] * EXTRA_ROWS]
    context = _context(
        request,
        deal,
        "walkthrough",
        reports=reads.walkthrough_list(transaction=deal),
        areas=list(enumerate(areas)),
    )
    return render(request, "transactions/manage_walkthrough.html", context)


urlpatterns = [
    path("<int:pk>/checklists/", checklists_page, name="manage_checklists"),
    path("<int:pk>/issues/", issues_page, name="manage_issues"),
    path("<int:pk>/progress/", progress_page, name="manage_progress"),
    path("<int:pk>/walkthrough/", walkthrough_page, name="manage_walkthrough"),
]
