"""Forms of the deal management pages: checklists, the issue log, progress updates to the
clients and the final walk-through."""

from __future__ import annotations

from typing import Any

from django import forms

from rallypoynt.core.clock import local_today
from rallypoynt.core.forms import (
    DayField,
    ServiceForm,
    choice,
    pick,
    text,
    yes_no,
)
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions.choices import ChecklistKind
from rallypoynt.transactions.domain import ROLE_LABELS
from rallypoynt.transactions.selectors import checklist_items, issue_list

NOTE_MAX = 5000  # as a progress update's note
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
EXTRA_ROWS = 2  # empty rows for areas of the agent's own
WALKTHROUGH_ROWS = len(WALKTHROUGH_AREAS) + EXTRA_ROWS


class ChecklistMarkForm(ServiceForm):
    """Mark one of the deal's checklist items done or not applicable, or reopen it."""

    item_id = pick("Checklist item", "an item of this deal's checklists")
    status = choice("Status", [("done", "Done"), ("na", "Not applicable"), ("reopen", "Reopen")])
    note = text("Note", 1000)

    def scoped(self) -> None:
        self.fields["item_id"].queryset = checklist_items(deal=self.scope)


class ChecklistAddForm(ServiceForm):
    """One more item on a checklist (the title is the service's to require)."""

    kind = choice("Checklist", ChecklistKind.choices)
    title = text("Task", 200)
    due_on = DayField(label="Due")
    role = choice("Who", [("", "—"), *sorted(ROLE_LABELS.items())], required=False)


class ChecklistApplyForm(ServiceForm):
    """Which checklists to apply from the templates (none ticked: the contract ones)."""

    kinds = forms.MultipleChoiceField(
        label="Checklists",
        choices=ChecklistKind.choices,
        required=False,
        error_messages={"invalid_choice": "Choose checklists from the list."},
    )

    def clean_kinds(self) -> list[str] | None:
        return self.cleaned_data["kinds"] or None


class IssueRaiseForm(ServiceForm):
    """A problem on the deal: who owns it and when it must be solved."""

    title = text("Problem", 200)
    description = text("Details", NOTE_MAX)
    owner_id = pick("Owner", "a member", required=False)
    due_on = DayField(label="Due")

    def scoped(self) -> None:
        self.fields["owner_id"].queryset = member_list(actor=self.actor).prefetch_related(None)


class IssueResolveForm(ServiceForm):
    """How one of the deal's issues was resolved, and when."""

    issue_id = pick("Issue", "an issue of this deal")
    resolution = text("Resolution", NOTE_MAX)
    resolved_on = DayField(label="Resolved on")

    def scoped(self) -> None:
        self.fields["issue_id"].queryset = issue_list(deal=self.scope)


class IssueReopenForm(ServiceForm):
    """Reopen one of the deal's issues."""

    issue_id = pick("Issue", "an issue of this deal")

    def scoped(self) -> None:
        self.fields["issue_id"].queryset = issue_list(deal=self.scope)


class ProgressForm(ServiceForm):
    """An update on where the deal stands, kept on the deal or also e-mailed to the clients."""

    note = text("Note", NOTE_MAX)
    send = yes_no("E-mail it to the clients", empty=False)


class WalkthroughForm(ServiceForm):
    """The final walk-through, area by area: in order, or a problem with what was found."""

    done_on = DayField(label="Done on")
    attendees = text("Who was there", 300)
    notes = text("Notes", NOTE_MAX)

    def clean_done_on(self):
        # Left empty: today on the org's calendar.
        return self.cleaned_data["done_on"] or local_today(self.actor.org)

    def scoped(self) -> None:
        for i in range(WALKTHROUGH_ROWS):
            number = i + 1
            self.fields[f"area_{i}"] = text(f"Area {number}", 100)
            self.fields[f"ok_{i}"] = choice(
                f"Area {number} in order?", [("1", "In order"), ("0", "Problem")], required=False
            )
            self.fields[f"note_{i}"] = text(f"Area {number} note", 1000)

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        findings = [
            {"area": data[f"area_{i}"], "ok": data[f"ok_{i}"] != "0", "note": data[f"note_{i}"]}
            for i in range(WALKTHROUGH_ROWS)
            if data[f"area_{i}"]
        ]
        return {
            "done_on": data["done_on"],
            "attendees": data["attendees"],
            "notes": data["notes"],
            "findings": findings,
        }
