"""Forms for the org settings pages."""

from __future__ import annotations

from django import forms

from rallypoynt.orgs.choices import Role, Weekday


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200)
    branding_name = forms.CharField(
        max_length=200, required=False, help_text="Shown in the header and on client e-mails."
    )
    time_zone = forms.CharField(max_length=64, help_text="IANA name, e.g. America/Chicago.")
    holiday_country = forms.CharField(
        max_length=2, required=False, label="Holiday country", help_text="ISO code, e.g. US."
    )
    holiday_subdivision = forms.CharField(
        max_length=10, required=False, label="State / subdivision", help_text="e.g. CA, NY."
    )


class HoursForm(forms.Form):
    """One row per weekday: open flag plus opening and closing time."""

    def __init__(self, *args, hours=None, **kwargs):
        super().__init__(*args, **kwargs)
        hours = hours or {}
        for day, label in Weekday.choices:
            interval = (hours.get(day) or [(None, None)])[0]
            self.fields[f"open_{day}"] = forms.BooleanField(
                required=False, label=f"{label} open", initial=day in hours
            )
            self.fields[f"opens_{day}"] = forms.TimeField(
                required=False,
                label=f"{label} opens",
                initial=interval[0],
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                required=False,
                label=f"{label} closes",
                initial=interval[1],
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def rows(self):
        return [
            (label, self[f"open_{day}"], self[f"opens_{day}"], self[f"closes_{day}"])
            for day, label in Weekday.choices
        ]

    def week(self) -> dict:
        week = {}
        for day, label in Weekday.choices:
            if not self.cleaned_data.get(f"open_{day}"):
                continue
            start, end = (
                self.cleaned_data.get(f"opens_{day}"),
                self.cleaned_data.get(f"closes_{day}"),
            )
            if start is None or end is None:
                self.add_error(f"opens_{day}", f"{label} needs opening and closing times.")
                continue
            week[day] = [(start, end)]
        return week


class ClosureForm(forms.Form):
    closed_on = forms.DateField(label="Closed on", widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(max_length=120, label="Reason")


class OfficeForm(forms.Form):
    name = forms.CharField(max_length=200)
    address = forms.CharField(max_length=300, required=False)
    phone = forms.CharField(max_length=32, required=False)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=200)
    office_id = forms.TypedChoiceField(label="Office", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office_id"].choices = [("", "—")] + [(o.pk, o.name) for o in offices]


class TeamMemberForm(forms.Form):
    membership_id = forms.TypedChoiceField(label="Member", coerce=int)
    is_lead = forms.BooleanField(required=False, label="Team lead")

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership_id"].choices = [(m.pk, str(m.user)) for m in members]


class MemberForm(forms.Form):
    title = forms.CharField(max_length=120, required=False)
    office_id = forms.TypedChoiceField(label="Office", required=False, coerce=int, empty_value=None)
    roles = forms.MultipleChoiceField(choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(required=False, label="Active")

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office_id"].choices = [("", "—")] + [(o.pk, o.name) for o in offices]


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, initial=[Role.AGENT]
    )
    office_id = forms.TypedChoiceField(label="Office", required=False, coerce=int, empty_value=None)
    team_id = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, offices=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office_id"].choices = [("", "—")] + [(o.pk, o.name) for o in offices]
        self.fields["team_id"].choices = [("", "—")] + [(t.pk, t.name) for t in teams]


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class AuditFilterForm(forms.Form):
    """The audit log's filters (GET): one action or one kind of object."""

    object_type = forms.CharField(label="Object", max_length=60, required=False)
    action = forms.CharField(label="Action", max_length=80, required=False)


class SwitchOrgForm(forms.Form):
    """Another organization the user has a seat in, to work in for this session."""

    org_id = forms.ModelChoiceField(
        queryset=None,
        error_messages={
            "required": "Pick an organization.",
            "invalid_choice": "You have no seat in that organization.",
        },
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_id"].queryset = organizations


class NotificationsFilterForm(forms.Form):
    """Unread only (1) or every notification (GET)."""

    unread = forms.TypedChoiceField(
        choices=[("1", "Unread only"), ("0", "All")],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=False,
    )


class NotificationOpenForm(forms.Form):
    """Mark read, and with open=1 also follow the notification's link."""

    open = forms.TypedChoiceField(
        choices=[("1", "Open"), ("0", "Only mark read")],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=False,
    )
