"""Forms of the contact pages: contact, touchpoint, task, consent, relationship, smart list."""

from __future__ import annotations

from django import forms
from django.db import models

from rallypoynt.contacts.choices import (
    Consent,
    CustomFieldType,
    Direction,
    EmailKind,
    Outcome,
    PhoneKind,
    RelationshipKind,
    Stage,
    TouchpointKind,
)
from rallypoynt.contacts.services.people import (
    ContactData,
    EmailEntry,
    PhoneEntry,
)

# Forms -------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [v.strip() for v in text.replace(",", "\n").splitlines() if v.strip()]


class ChannelRows(forms.Widget):
    """Rows of a text box and a kind select, plus a blank row to add one more without script.

    Posts `name` and `name_kind` once per row; a box holding several lines (or values split by
    commas) gives several values of that row's kind.
    """

    template_name = "contacts/_channel_rows.html"

    def __init__(
        self, *, kinds: type[models.TextChoices], row_label: str, input_type: str, attrs=None
    ):
        super().__init__(attrs)
        self.kinds, self.row_label, self.input_type = kinds, row_label, input_type

    def value_from_datadict(self, data, files, name) -> list[tuple[str, str]]:
        values, kinds = _list(data, name), _list(data, f"{name}_kind")
        rows = []
        for i, raw in enumerate(values):
            kind = kinds[i] if i < len(kinds) else ""
            rows += [(value, kind) for value in _lines(raw)]
        return rows

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data

    def format_value(self, value):
        return list(value or [])

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = context["widget"]["value"]
        rows = rows + [("", "")] * max(1, 2 - len(rows))
        context["widget"].update(
            rows=rows,
            kinds=self.kinds.choices,
            row_label=self.row_label,
            input_type=self.input_type,
        )
        return context


def _list(data, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return data.getlist(name)
    value = data.get(name)
    return [] if value is None else [value] if isinstance(value, str) else list(value)


class ChannelsField(forms.Field):
    """E-mail addresses or phone numbers, each with its kind, as (value, kind) pairs."""

    def __init__(
        self, *, kinds: type[models.TextChoices], row_label: str, input_type: str, **kwargs
    ):
        self.kinds = kinds
        kwargs.setdefault("required", False)
        widget = ChannelRows(kinds=kinds, row_label=row_label, input_type=input_type)
        super().__init__(widget=widget, **kwargs)

    def to_python(self, value) -> list[tuple[str, str]]:
        return [(v.strip(), (k or "").strip()) for v, k in value or [] if v and v.strip()]

    def validate(self, value) -> None:
        super().validate(value)
        for number, (_, kind) in enumerate(value, start=1):
            if kind and kind not in self.kinds.values:
                raise forms.ValidationError(
                    f"Row {number}: choose one of {', '.join(self.kinds.labels)}."
                )


class ContactForm(forms.Form):
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    emails = ChannelsField(
        kinds=EmailKind,
        row_label="E-mail address",
        input_type="text",  # with inputmode=email: the server's checks are the ones that count
        label="E-mail addresses",
        help_text="The first is the primary; clear a box to remove one.",
    )
    phones = ChannelsField(
        kinds=PhoneKind,
        row_label="Phone number",
        input_type="tel",
        label="Phone numbers",
        help_text="The first is the primary; clear a box to remove one.",
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
        values["emails"] = [EmailEntry(v, k or None) for v, k in data["emails"]]
        values["phones"] = [PhoneEntry(v, k or None) for v, k in data["phones"]]
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


def channels_initial(contact) -> dict:
    """The contact's e-mails and phones as the form's (value, kind) rows, the primary first."""

    def rows(related, field: str) -> list[tuple[str, str]]:
        ordered = sorted(related.all(), key=lambda r: (not r.is_primary, r.pk))
        return [(getattr(r, field), r.kind) for r in ordered]

    return {"emails": rows(contact.emails, "address"), "phones": rows(contact.phones, "number")}


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
