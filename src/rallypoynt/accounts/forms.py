"""Login with throttling, profile and token forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from rallypoynt.accounts.models import zone_names
from rallypoynt.accounts.services import login_attempt_record, login_is_throttled


def client_ip(request) -> str | None:
    # Behind a proxy set the real client address with the proxy's header handling.
    return request.META.get("REMOTE_ADDR") if request is not None else None


class ThrottledLoginForm(AuthenticationForm):
    """E-mail + password; refuses further tries after repeated failures."""

    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That e-mail and password do not match an active account.",
        "throttled": "Too many failed attempts. Wait a few minutes or reset your password.",
    }

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if email and login_is_throttled(email=email, ip_address=ip):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if email:
                login_attempt_record(email=email, ip_address=ip, succeeded=False)
            raise
        # super().clean() skips authentication when a field is missing or invalid
        # (e.g. a blank password); only a real success may clear the failures.
        if self.user_cache is not None:
            login_attempt_record(email=email, ip_address=ip, succeeded=True)
        return cleaned


def time_zone_choices(org_zone: str = "") -> list[tuple[str, str]]:
    """Blank (follow the org, naming its zone) then every IANA zone, sorted."""
    follow = f"Follow the organization ({org_zone})" if org_zone else "Follow the organization"
    return [("", follow), *((name, name.replace("_", " ")) for name in sorted(zone_names()))]


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    phone = forms.CharField(max_length=32, required=False)
    time_zone = forms.ChoiceField(
        required=False,
        label="Time zone",
        help_text="Times on pages and in e-mails are shown in this zone.",
    )

    def __init__(self, *args, org_zone: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices(org_zone)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses this token, e.g. 'Zillow leads'.")
