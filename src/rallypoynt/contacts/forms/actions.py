"""Forms of the contact pages' buttons and filters: duplicates, collaborators, tasks done,
the import's column mapping and the exports."""

from __future__ import annotations

from django import forms

from rallypoynt.contacts.selectors import KEEP, MERGE
from rallypoynt.contacts.services.vcard import VERSIONS
from rallypoynt.core.api.types import INT64_MAX
from rallypoynt.core.forms import (
    ServiceForm,
    choice,
    pick,
    text,
    whole_number,
    yes_no,
)
from rallypoynt.orgs.selectors import member_list

# The merge page offers "keep both texts" for the notes only.
BOTH = "both"
BOTH_ALLOWED = frozenset({"background"})


class DismissForm(ServiceForm):
    """Two contacts that are different people (not a duplicate). Which contacts the agent
    sees is the service's to say: one out of sight is a 404 there, like the API's."""

    first = whole_number("First contact", low=1, high=INT64_MAX)
    second = whole_number("Second contact", low=1, high=INT64_MAX)

    def arguments(self) -> dict[str, int]:
        data = self.cleaned_data
        return {"first_id": data["first"], "second_id": data["second"]}


class MergeForm(forms.Form):
    """For each field the two contacts differ in, which value the kept contact takes."""

    def __init__(self, *args, rows=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for row in rows:
            options = [(KEEP, "Keep"), (MERGE, "Take the other's")]
            if row.name in BOTH_ALLOWED:
                options.append((BOTH, "Keep both texts"))
            # Not picked: the merge's default for the field (the page checks it).
            self.fields[f"choice_{row.name}"] = choice(row.label, options, required=False)

    def field_choices(self) -> dict[str, str]:
        """{field: keep | merge | both} for the fields picked."""
        return {
            name.removeprefix("choice_"): value
            for name, value in self.cleaned_data.items()
            if value
        }


class CollaboratorForm(ServiceForm):
    """A member of the org to work with the contact too."""

    membership_id = pick("Member", "a member")

    def scoped(self) -> None:
        self.fields["membership_id"].queryset = member_list(actor=self.actor).prefetch_related(None)


class PickQueryForm(forms.Form):
    """What the relationship picker searches for (GET)."""

    q = text("Search", 100)


class TaskDoneForm(forms.Form):
    """Done (1, the default) or reopened (0)."""

    is_done = yes_no("Done", empty=True)


def import_run_form(data, headers: list[str], targets: dict[str, str]) -> forms.Form:
    """The preview page's mapping (a target field per file column, `map-<n>`) and button."""
    form = forms.Form(data)
    options = [("", "Not imported"), *targets.items()]
    for index, header in enumerate(headers):
        form.fields[f"map-{index}"] = choice(
            header or f"Column {index + 1}", options, required=False
        )
    form.fields["action"] = choice(
        "Run", [("dry_run", "Dry run"), ("import", "Import contacts")], required=False
    )
    form.fields["keep_mapping"] = forms.BooleanField(required=False)
    return form


class ExportForm(forms.Form):
    """The vCard export's version (the list filters are the export service's to check)."""

    version = choice("vCard version", [(v, v) for v in sorted(VERSIONS)], required=False)
