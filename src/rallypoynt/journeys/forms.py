"""Forms of the pipeline pages: the board's filters and moves, the buttons of an engagement's
page, opening one, and editing the journey and pipeline templates."""

from __future__ import annotations

from typing import Any

from django import forms

from rallypoynt.contacts.selectors import contact_queryset
from rallypoynt.core.forms import (
    AmountField,
    ServiceForm,
    choice,
    pick,
    text,
    whole_number,
    yes_no,
)
from rallypoynt.journeys import selectors
from rallypoynt.journeys.choices import GateVerdict, Level, Side, TemplateKind
from rallypoynt.journeys.domain import MAX_YAML_BYTES, UNITS
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.selectors import team_list

KEY_MAX = 60  # phase, step, stage and deliverable keys (their columns)
REASON_MAX = 2000  # as the services allow
DUE_MAX = 100_000  # minutes, hours or days after phase entry


def key(label: str, *, required: bool = True) -> forms.CharField:
    """A phase, step, stage or deliverable key of the template (the service knows them)."""
    return text(label, KEY_MAX, required=required)


class BoardFilterForm(ServiceForm):
    """The board's view (by stage or phase) and its filters: side, agent, team (GET)."""

    by = choice("Board by", [("stage", "Sales stage"), ("phase", "Journey phase")], required=False)
    side = choice("Side", Side.choices, required=False)
    agent_id = pick("Agent", "an agent whose cards you see", required=False)
    team_id = pick("Team", "a team", required=False)

    def scoped(self) -> None:
        agents = selectors.board_agent_list(actor=self.actor)
        self.fields["agent_id"].queryset = agents.prefetch_related(None)
        self.fields["team_id"].queryset = team_list(actor=self.actor).prefetch_related(None)

    def clean_by(self) -> str:
        return self.cleaned_data["by"] or "stage"


class BoardMoveForm(ServiceForm):
    """A card moved to another stage column."""

    to = key("Stage")

    def arguments(self) -> dict[str, Any]:
        return {"stage_key": self.cleaned_data["to"]}


class StepForm(ServiceForm):
    """Complete or undo a step of the current phase."""

    step_key = key("Step")


class DeliverForm(ServiceForm):
    """Put a deliverable on file, with a note saying where it is."""

    deliverable_key = key("Deliverable")
    note = text("Note", 300)


class ReturnForm(ServiceForm):
    """Move the engagement back to an earlier phase (the service requires the reason)."""

    phase_key = key("Back to phase")
    reason = text("Why it goes back", REASON_MAX)


class GateForm(ServiceForm):
    """Approve or reject the phase's gate (a rejection needs a reason: the service's rule)."""

    verdict = choice("Decision", GateVerdict.choices)
    reason = text("Reason", REASON_MAX)


class StageForm(ServiceForm):
    """Put the engagement in another sales stage."""

    stage_key = key("Stage")


class CloseForm(ServiceForm):
    """Mark the engagement won or lost, with one of the org's lost reasons and a note."""

    status = choice("Outcome", [("won", "Won"), ("lost", "Lost")])
    reason = text("Note", REASON_MAX)
    reason_key = forms.ModelChoiceField(
        queryset=None,
        label="Why it was lost",
        to_field_name="key",
        required=False,
        error_messages={"invalid_choice": "Pick a reason from the list."},
    )

    def scoped(self) -> None:
        reasons = selectors.lost_reason_list(actor=self.actor, is_active=True)
        self.fields["reason_key"].queryset = reasons

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        reason = data["reason_key"]
        return {
            "status": data["status"],
            "reason": data["reason"],
            "reason_key": reason.key if reason else "",
        }


class HoldForm(ServiceForm):
    """Put the engagement on hold, or resume it."""

    is_on_hold = yes_no("On hold", required=True)


class NoFieldsForm(ServiceForm):
    """A button that posts nothing but itself (advance, upgrade)."""


class ContactPrefillForm(ServiceForm):
    """The client a "new engagement" link names (GET); anything else names nobody."""

    contact = pick("Client", "a contact", required=False)

    def scoped(self) -> None:
        self.fields["contact"].queryset = contact_queryset(actor=self.actor)


class ClientSearchForm(ServiceForm):
    """Who to open a journey for, by name, e-mail or phone (GET); matches are the contacts
    the agent sees."""

    q = text("Find the client", 100)


class EngagementOpenForm(ServiceForm):
    """Open a client journey for a contact the agent sees."""

    contact_id = pick("Client", "one of your contacts")
    side = choice("Side", Side.choices)
    title = text("Title", 200)
    expected_value = AmountField(label="Expected commission")
    team_id = pick("Team", "a team", required=False)

    def scoped(self) -> None:
        self.fields["contact_id"].queryset = contact_queryset(actor=self.actor)
        self.fields["team_id"].queryset = team_list(actor=self.actor).prefetch_related(None)

    def arguments(self) -> dict[str, Any]:
        values = super().arguments()
        values["contact_ids"] = [values.pop("contact_id")]
        return values


class LostReasonForm(forms.Form):
    """A reason an engagement is lost, by its short key (a new key adds one)."""

    key = forms.SlugField(label="Short key", max_length=40, help_text="e.g. relocated")
    label = forms.CharField(label="Reason", max_length=80)
    position = forms.IntegerField(label="Order", min_value=0, max_value=1000, required=False)
    is_active = forms.BooleanField(label="Offered when closing", required=False, initial=True)


class TemplateCopyForm(ServiceForm):
    """Copy the shipped (or the org's) template to edit, for the org or one team."""

    kind = choice("Kind", TemplateKind.choices)
    level = choice("Business level", Level.choices, required=False)
    team_id = pick("For team", "a team", required=False)

    def scoped(self) -> None:
        self.fields["team_id"].queryset = team_list(actor=self.actor).prefetch_related(None)

    def clean_level(self) -> str:
        return self.cleaned_data["level"] or Level.TEAM


class VersionEditForm(forms.Form):
    """A version's YAML, saved as a new draft; the parser names what is wrong in it."""

    yaml = forms.CharField(
        label="Template (YAML)",
        max_length=MAX_YAML_BYTES,
        strip=False,
        required=False,
        widget=forms.Textarea,
    )
    note = text("Note", 300)


def move_offset() -> forms.TypedChoiceField:
    """Up (-1) or down (+1) one place."""
    return forms.TypedChoiceField(
        label="Move",
        choices=[("up", "Up"), ("down", "Down")],
        coerce=lambda value: -1 if value == "up" else 1,
        required=False,
        empty_value=1,
        error_messages={"invalid_choice": "Move it up or down."},
    )


# One form per structured edit of a draft: its fields are that edit's arguments
# (domain.template_ops); the service checks the keys against the draft.


class PhaseMoveForm(ServiceForm):
    """Move a phase up or down."""

    phase_key = key("Phase", required=False)
    offset = move_offset()


class PhaseAddForm(ServiceForm):
    """Add a phase after another (at the end when none is named)."""

    name = text("Phase name", 120)
    after_key = key("After", required=False)


class PhaseRemoveForm(ServiceForm):
    """Remove a phase."""

    phase_key = key("Phase", required=False)


class StepMoveForm(ServiceForm):
    """Move a step up or down within its phase."""

    phase_key = key("Phase", required=False)
    step_key = key("Step", required=False)
    offset = move_offset()


class StepAddForm(ServiceForm):
    """Add a step at the end of a phase, done by a role."""

    phase_key = key("Phase", required=False)
    title = text("Step title", 200)
    role = choice("Role", Role.choices, required=False)


class StepRemoveForm(ServiceForm):
    """Remove a step."""

    phase_key = key("Phase", required=False)
    step_key = key("Step", required=False)


class StepUpdateForm(ServiceForm):
    """Change a step's role, whether it is required, and when it is due."""

    phase_key = key("Phase", required=False)
    step_key = key("Step", required=False)
    role = choice("Role", Role.choices, required=False)
    required = yes_no("Required")
    due_amount = whole_number("Due after", low=0, high=DUE_MAX, required=False)
    due_unit = choice("Unit", [(u, u) for u in UNITS], required=False)
    due_business = yes_no("Business time")


class GateUpdateForm(ServiceForm):
    """Require a role's approval to leave a phase, or none."""

    phase_key = key("Phase", required=False)
    approval_role = choice("Approval", Role.choices, required=False)
