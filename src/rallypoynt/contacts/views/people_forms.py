"""Forms of the contact pages: contact, touchpoint, task, consent, relationship, smart list."""

from __future__ import annotations

from django import forms

from rallypoynt.contacts.choices import (
    Consent,
    CustomFieldType,
    Direction,
    Outcome,
    RelationshipKind,
    Stage,
    TouchpointKind,
)
from rallypoynt.contacts.services.people import (
    ContactData,
)

# Forms -------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [v.strip() for v in text.replace(",", "\n").splitlines() if v.strip()]


class ContactForm(forms.Form):
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    emails = forms.CharField(
        label="E-mail addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line; the first is the primary.",
    )
    phones = forms.CharField(
        label="Phone numbers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line; the first is the primary.",
    )
    stage = forms.ChoiceField(choices=Stage.choices, initial=Stage.LEAD)
    source = forms.CharField(max_length=100, required=False, label="Lead source")
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    tags = forms.CharField(required=False, help_text="Separated by commas.")
    street = forms.CharField(max_length=200, required=False)
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(max_length=50, required=False)
    postal_code = forms.CharField(max_length=20, required=False, label="ZIP / postal code")
    country = forms.CharField(max_length=2, required=False, initial="US")
    birthday_on = forms.DateField(
        required=False, label="Birthday", widget=forms.DateInput(attrs={"type": "date"})
    )
    language = forms.CharField(max_length=10, required=False, help_text="e.g. en, es")
    background = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Notes / background"
    )

    def __init__(self, *args, members=(), custom_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Nobody")] + [
            (m.pk, m.user.get_full_name() or m.user.email) for m in members
        ]
        self.custom_fields = list(custom_fields)
        for spec in self.custom_fields:
            self.fields[f"custom_{spec.key}"] = _custom_form_field(spec)

    @property
    def custom_bound_fields(self) -> list:
        return [self[f"custom_{spec.key}"] for spec in self.custom_fields]

    def values(self) -> dict:
        """Cleaned data in the shape the contact services take."""
        data = dict(self.cleaned_data)
        values = {k: data[k] or "" for k in ContactData.__dataclass_fields__ if k in data}
        values["birthday_on"] = data.get("birthday_on")
        values["emails"] = _lines(data["emails"])
        values["phones"] = _lines(data["phones"])
        values["tags"] = [t.strip() for t in data["tags"].split(",") if t.strip()]
        values["stage"] = data["stage"]
        values["country"] = data["country"] or "US"
        values["custom"] = {s.key: data.get(f"custom_{s.key}") for s in self.custom_fields}
        values["owner_id"] = data.get("owner")
        return values


def _custom_form_field(spec) -> forms.Field:
    common = {"label": spec.label, "required": False}
    if spec.field_type == CustomFieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in spec.choices], **common)
    if spec.field_type == CustomFieldType.BOOLEAN:
        yes_no = [("", "—"), ("yes", "Yes"), ("no", "No")]
        return forms.ChoiceField(choices=yes_no, **common)
    if spec.field_type == CustomFieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if spec.field_type == CustomFieldType.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    return forms.CharField(max_length=500, **common)


def custom_initial(contact, custom_fields) -> dict:
    initial = {}
    for spec in custom_fields:
        value = contact.custom.get(spec.key)
        if spec.field_type == CustomFieldType.BOOLEAN and value is not None:
            value = "yes" if value else "no"
        initial[f"custom_{spec.key}"] = value
    return initial


class TouchpointForm(forms.Form):
    kind = forms.ChoiceField(choices=TouchpointKind.choices, initial=TouchpointKind.CALL)
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.OUTBOUND)
    outcome = forms.ChoiceField(choices=Outcome.choices, required=False)
    duration_minutes = forms.IntegerField(
        label="Minutes", required=False, min_value=0, max_value=1440
    )
    occurred_at = forms.DateTimeField(
        label="When",
        required=False,
        help_text="Leave empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    summary = forms.CharField(
        label="What happened", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    due_at = forms.DateTimeField(
        label="Due",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    remind_at = forms.DateTimeField(
        label="Remind me",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    contact_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ConsentForm(forms.Form):
    email_consent = forms.ChoiceField(label="E-mail", choices=Consent.choices)
    sms_consent = forms.ChoiceField(label="Text messages (SMS)", choices=Consent.choices)
    is_do_not_contact = forms.BooleanField(label="Do not contact", required=False)


class RelationshipForm(forms.Form):
    kind = forms.ChoiceField(label="Relationship", choices=RelationshipKind.choices)
    related_id = forms.IntegerField(label="Contact", widget=forms.HiddenInput)


class SmartListForm(forms.Form):
    name = forms.CharField(max_length=120, label="List name")
    is_shared = forms.BooleanField(label="Share with my organization", required=False)
