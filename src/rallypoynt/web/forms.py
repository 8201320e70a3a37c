"""The home switcher and the header search's form (both GET)."""

from __future__ import annotations

from django import forms

from rallypoynt.core.forms import ServiceForm, choice, text
from rallypoynt.core.search import MAX_TERM, search_prefix

NOTHING_TO_FIND = "Type part of a name, an e-mail address, a phone number or an address."


class SearchForm(forms.Form):
    """`q` as typed in the header (GET)."""

    q = text("Search", MAX_TERM, required=True, error_messages={"required": NOTHING_TO_FIND})

    def clean_q(self) -> str:
        value: str = self.cleaned_data["q"]
        # Only punctuation or symbols (emoji): no word of any term can start with it.
        if not search_prefix(value):
            raise forms.ValidationError(NOTHING_TO_FIND)
        return value


class HomeForm(ServiceForm):
    """`?home=` names one of the homes the member has; anything else shows their first."""

    home = choice("Home", [], required=False)

    def __init__(self, *args, homes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home"].choices = [(home.key, home.label) for home in homes]
