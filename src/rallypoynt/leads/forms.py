"""Forms of the lead pages' buttons and filters: a routing rule's place, the review tab."""

from __future__ import annotations

from django import forms

from rallypoynt.core.forms import choice
from rallypoynt.leads.choices import ReviewStatus


class RuleMoveForm(forms.Form):
    """A routing rule moved one place up or down."""

    direction = forms.TypedChoiceField(
        label="Move",
        choices=[("up", "Up"), ("down", "Down")],
        coerce=lambda value: -1 if value == "up" else 1,
        error_messages={"required": "Move it up or down.", "invalid_choice": "Move it up or down."},
    )


class ReviewTabForm(forms.Form):
    """The review queue's tab (GET); anything else shows the open items."""

    status = choice("Status", ReviewStatus.choices, required=False)
