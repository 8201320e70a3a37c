"""Bounded fields and a base form for every page's forms (contacts, deals, the pipeline).

Every value a page posts is parsed here, never by hand in a view: a value out of its bounds
is a field error on the page (a 4xx), not a server error, and nothing is saved."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models

from rallypoynt.core.api.types import DATE_MAX, DATE_MIN

MONEY_MAX = Decimal("999999999999.99")  # the money columns: DecimalField(14, 2)
# Plain digits with an optional fraction: no sign, no exponent (1e3), no NaN.
PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")


class ServiceForm(forms.Form):
    """A page form whose cleaned data is one service call's arguments (picked rows by id).

    `actor` and `scope` (the row the page is about, e.g. the deal) narrow the rows a field
    may pick; subclasses set their querysets in `scoped`. Both are typed Any: they are rows of
    the apps above core (a membership, a deal), which core cannot name."""

    def __init__(self, *args: Any, actor: Any = None, scope: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor, self.scope = actor, scope
        self.scoped()

    def scoped(self) -> None:
        """Set the querysets of the fields that pick a row (none by default)."""

    def arguments(self) -> dict[str, Any]:
        """The cleaned data as the service takes it: a picked row as its id."""
        return {
            name: value.pk if isinstance(value, models.Model) else value
            for name, value in self.cleaned_data.items()
        }

    def error_lines(self) -> list[str]:
        """Every error as one line, its field's label first (for a message or a list)."""
        lines = [str(error) for error in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name != NON_FIELD_ERRORS:
                label = self.fields[name].label or name.replace("_", " ").capitalize()
                lines += [f"{label}: {error}" for error in errors]
        return lines


def pick(label: str, what: str, *, required: bool = True) -> forms.ModelChoiceField:
    """A row picked from a list the form scopes; anything else reads like a missing row."""
    return forms.ModelChoiceField(
        queryset=None,
        label=label,
        required=required,
        error_messages={
            "required": f"Pick {what}.",
            "invalid_choice": f"Pick {what} from the list.",
        },
    )


# What a choice field offers: (value, label) pairs, or a callable returning them.
Choices = Iterable[tuple[Any, Any]] | Callable[[], Iterable[tuple[Any, Any]]]


def choice(
    label: str, choices: Choices, *, required: bool = True, **kwargs: Any
) -> forms.ChoiceField:
    """One of `choices`; anything else asks to choose again."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        error_messages={"invalid_choice": "Choose one of the options offered."},
        **kwargs,
    )


def whole_number(
    label: str, *, low: int, high: int, unit: str = "", required: bool = True, **kwargs: Any
) -> forms.IntegerField:
    """A whole number from `low` to `high`; the message names the unit (days, hours)."""
    what = f"a whole number of {unit}" if unit else "a whole number"
    message = f"Enter {what} from {low:,} to {high:,}."
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        required=required,
        error_messages={
            "required": f"Enter {what}.",
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
        **kwargs,
    )


class DayField(forms.DateField):
    """A calendar day from 1900 to 2200 (deadlines count business days from it)."""

    default_error_messages = {
        "invalid": "Enter a date, e.g. 2026-03-31.",
        "range": f"Enter a date from {DATE_MIN.year} to {DATE_MAX.year}.",
    }

    def __init__(self, *, label: str, required: bool = False, **kwargs: Any) -> None:
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        super().__init__(label=label, required=required, widget=widget, **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not DATE_MIN <= value <= DATE_MAX:
            raise forms.ValidationError(self.error_messages["range"], code="range")


class _PlainDecimalField(forms.DecimalField):
    """A decimal typed as agents type it: `$`, `,` and `%` dropped, no sign or exponent."""

    ignored = "$,%"

    # Django's DecimalField subclasses IntegerField yet returns a Decimal: the stubs ignore
    # the same override on DecimalField itself, and mypy checks ours against IntegerField too.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.translate({ord(c): None for c in self.ignored}).strip()
            if value and not PLAIN_NUMBER.match(value):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class AmountField(_PlainDecimalField):
    """Dollars and cents, 0 up to what a money column holds ($999,999,999,999.99)."""

    def __init__(self, *, label: str, required: bool = False, **kwargs: Any) -> None:
        message = "Enter an amount in dollars, e.g. 425000 or 425,000.50."
        too_big = "Enter an amount up to $999,999,999,999.99."
        super().__init__(
            label=label,
            required=required,
            max_digits=14,
            decimal_places=2,
            min_value=Decimal(0),
            max_value=MONEY_MAX,
            error_messages={
                "required": "Enter an amount in dollars.",
                "invalid": message,
                "min_value": message,
                "max_value": too_big,
                "max_digits": too_big,
                "max_whole_digits": too_big,
                "max_decimal_places": "Enter dollars and cents (at most 2 decimals).",
            },
            **kwargs,
        )


class PercentField(_PlainDecimalField):
    """A percentage from 0 to 100, to a thousandth (the percent columns)."""

    def __init__(self, *, label: str, required: bool = False, **kwargs: Any) -> None:
        message = "Enter a percentage from 0 to 100, e.g. 2.5."
        super().__init__(
            label=label,
            required=required,
            max_digits=6,
            decimal_places=3,
            min_value=Decimal(0),
            max_value=Decimal(100),
            error_messages={
                "required": "Enter a percentage.",
                "invalid": message,
                "min_value": message,
                "max_value": message,
                "max_digits": message,
                "max_whole_digits": message,
                "max_decimal_places": "Enter a percentage with at most 3 decimals.",
            },
            **kwargs,
        )


def text(label: str, max_length: int, *, required: bool = False, **kwargs: Any) -> forms.CharField:
    """Typed text up to `max_length` characters (the column's size)."""
    return forms.CharField(label=label, max_length=max_length, required=required, **kwargs)


def yes_no(
    label: str, *, required: bool = False, empty: bool | None = None
) -> forms.TypedChoiceField:
    """A yes/no select or checkbox posted as 1 or 0; missing is `empty`."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("1", "Yes"), ("0", "No")],
        coerce=lambda value: value == "1",
        required=required,
        # Django takes any value as empty_value (its docs suggest None); the stubs say str.
        empty_value=empty,  # type: ignore[arg-type]
        error_messages={"invalid_choice": "Choose yes or no."},
    )
