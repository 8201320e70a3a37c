"""Pages: managing a deal — its checklists, the issue log, progress updates to the clients
and the final walk-through. Each page shows the deal's rows; each of its buttons posts to a
small view of its own (one form, one service) that redirects back, so a reload never repeats
a write."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from rallypoynt.core.clock import local_today
from rallypoynt.core.forms import ServiceForm
from rallypoynt.orgs.decorators import member_page
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions import forms, selectors
from rallypoynt.transactions.choices import ChecklistKind
from rallypoynt.transactions.domain import ROLE_LABELS
from rallypoynt.transactions.models import ProgressUpdate
from rallypoynt.transactions.services import checklists, issues, progress, walkthrough
from rallypoynt.transactions.views.common import DealAction, deal_buttons, deal_or_404


def _date(value: str | None) -> date | None:
    """An ISO date from a stored snapshot (forms parse their own dates)."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _context(request: HttpRequest, deal, tab: str, **extra) -> dict:
    return {"deal": deal, "tab": tab, "today": local_today(request.membership.org), **extra}


def _page(request: HttpRequest, template: str, context: dict, failed) -> HttpResponse:
    """A management page; a refused form (400) shows its errors and nothing changed."""
    context["failed"] = failed
    return render(request, template, context, status=400 if failed else 200)


# Checklists --------------------------------------------------------------------------------


def _checklists_page(request: HttpRequest, deal, failed: ServiceForm | None = None):
    groups = selectors.checklist_groups(deal=deal)
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


@member_page
@require_safe
def checklists_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The deal's checklists by kind: due dates, overdue ones marked, done/n-a buttons."""
    return _checklists_page(request, deal_or_404(request, pk))


CHECKLISTS = deal_buttons(_checklists_page, "transactions:manage_checklists")

checklist_item_mark_view = CHECKLISTS.button(
    "checklist_item_mark_view",
    "Mark one of the deal's checklist items done or not applicable, or reopen it.",
    DealAction(
        forms.ChecklistMarkForm,
        checklists.checklist_item_mark,
        "Checklist updated.",
        with_deal=False,
    ),
)
checklist_item_add_view = CHECKLISTS.button(
    "checklist_item_add_view",
    "One more item on one of the deal's checklists.",
    DealAction(forms.ChecklistAddForm, checklists.checklist_item_add, "Checklist updated."),
)
checklists_apply_view = CHECKLISTS.button(
    "checklists_apply_view",
    "Add the checklists picked from the org's templates (items already there are kept).",
    DealAction(forms.ChecklistApplyForm, checklists.checklists_apply_for, "Checklist updated."),
)


# The issue log -----------------------------------------------------------------------------


def _issues_page(request: HttpRequest, deal, failed: ServiceForm | None = None):
    context = _context(
        request,
        deal,
        "issues",
        issues=selectors.issue_list(deal=deal),
        members=member_list(actor=request.membership).prefetch_related(None),
    )
    return _page(request, "transactions/manage_issues.html", context, failed)


@member_page
@require_safe
def issues_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The issue resolution log: raise an issue, resolve or reopen one."""
    return _issues_page(request, deal_or_404(request, pk))


ISSUES = deal_buttons(_issues_page, "transactions:manage_issues")

issue_raise_view = ISSUES.button(
    "issue_raise_view",
    "Log a problem on the deal: who owns it and when it must be solved.",
    DealAction(forms.IssueRaiseForm, issues.issue_raise, "Issue log updated."),
)
issue_resolve_view = ISSUES.button(
    "issue_resolve_view",
    "Say how one of the deal's issues was resolved, and when.",
    DealAction(forms.IssueResolveForm, issues.issue_resolve, "Issue log updated.", with_deal=False),
)
issue_reopen_view = ISSUES.button(
    "issue_reopen_view",
    "Reopen one of the deal's issues.",
    DealAction(forms.IssueReopenForm, issues.issue_reopen, "Issue log updated.", with_deal=False),
)


# Progress updates --------------------------------------------------------------------------


def _dated(snapshot: dict) -> dict:
    """The snapshot with its ISO dates as dates, for the template's date filter."""
    dates = {k: _date(v) for k, v in snapshot.get("dates", {}).items()}
    deadlines = dict(snapshot.get("deadlines", {}))
    deadlines["next"] = [{**d, "due_on": _date(d.get("due_on"))} for d in deadlines.get("next", [])]
    return {**snapshot, "dates": dates, "deadlines": deadlines}


def _progress_page(request: HttpRequest, deal, failed: ServiceForm | None = None):
    updates = list(selectors.progress_update_list(deal=deal)[:50])
    for update in updates:
        update.snap = _dated(update.snapshot)
    context = _context(
        request,
        deal,
        "progress",
        snapshot=_dated(selectors.progress_snapshot(deal=deal)),
        updates=updates,
        recipients=progress.progress_recipients(deal),
    )
    return _page(request, "transactions/manage_progress.html", context, failed)


@member_page
@require_safe
def progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the deal stands, a form to post an update (and send it), and the history."""
    return _progress_page(request, deal_or_404(request, pk))


def _progress_posted(update: ProgressUpdate) -> str:
    sent = len(update.recipients)
    return f"Update sent to {sent} client{'' if sent == 1 else 's'}." if sent else "Update saved."


PROGRESS = deal_buttons(_progress_page, "transactions:manage_progress")

progress_update_post_view = PROGRESS.button(
    "progress_update_post_view",
    "Keep an update on the deal, and e-mail it to the clients when asked.",
    DealAction(forms.ProgressForm, progress.progress_update_post, _progress_posted),
)


# The final walk-through --------------------------------------------------------------------


def _walkthrough_page(request: HttpRequest, deal, failed: ServiceForm | None = None):
    areas = [*forms.WALKTHROUGH_AREAS, *[""] * forms.EXTRA_ROWS]
    context = _context(
        request,
        deal,
        "walkthrough",
        reports=selectors.walkthrough_list(deal=deal),
        areas=list(enumerate(areas)),
    )
    return _page(request, "transactions/manage_walkthrough.html", context, failed)


@member_page
@require_safe
def walkthrough_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The form to record the final walk-through area by area; past reports beside it."""
    return _walkthrough_page(request, deal_or_404(request, pk))


WALKTHROUGH = deal_buttons(_walkthrough_page, "transactions:manage_walkthrough")

walkthrough_record_view = WALKTHROUGH.button(
    "walkthrough_record_view",
    "Record the final walk-through: problems go on the issue log.",
    DealAction(forms.WalkthroughForm, walkthrough.walkthrough_record, "Walk-through recorded."),
)
