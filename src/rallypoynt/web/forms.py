"""The home switcher: which of the member's homes to show (GET)."""

from __future__ import annotations

from rallypoynt.core.forms import ServiceForm, choice


class HomeForm(ServiceForm):
    """`?home=` names one of the homes the member has; anything else shows their first."""

    home = choice("Home", [], required=False)

    def __init__(self, *args, homes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home"].choices = [(home.key, home.label) for home in homes]
