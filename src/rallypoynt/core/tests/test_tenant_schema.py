"""The schema stays ready to distribute by org (ADR 0009).

Every model of the project's apps is tenant data with an `org` foreign key, unless it is
listed below with its reason; and every unique rule on a model with `org` (unique=True, a
one-to-one, unique_together, a UniqueConstraint) includes `org`, because a distributed
table can only enforce uniqueness that includes its distribution column.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from rallypoynt.orgs.models import Organization

# Models without org, each with the reason it is not tenant data.
NOT_TENANT_DATA = {
    "orgs.Organization": "the tenant itself; its id is the distribution key",
    "accounts.User": "a person can hold seats in several orgs; a reference table",
    "accounts.LoginAttempt": "throttles logins by e-mail and address before any org is known",
    "core.WorkerHeartbeat": "worker processes, infrastructure shared by every org",
}

# Unique rules on tenant models that deliberately leave org out: "app.Model": {"rule": reason}.
UNIQUE_WITHOUT_ORG: dict[str, dict[str, str]] = {}


def project_models() -> list[type[models.Model]]:
    return [
        m for m in apps.get_models() if m.__module__.startswith("rallypoynt.") and not m._meta.proxy
    ]


def org_field(model: type[models.Model]) -> models.Field | None:
    try:
        field = model._meta.get_field("org")
    except Exception:
        return None
    return field if getattr(field, "related_model", None) is Organization else None


def unique_rules(model: type[models.Model]) -> list[tuple[str, set[str]]]:
    """(name, field names) of every unique rule the database enforces for `model`."""
    opts = model._meta
    rules = [
        (f"{f.name} unique=True", {f.name})
        for f in opts.local_fields
        if f.unique and not f.primary_key
    ]
    rules += [(f"unique_together {tuple(t)}", set(t)) for t in opts.unique_together]
    for constraint in opts.constraints:
        if not isinstance(constraint, models.UniqueConstraint):
            continue
        names = set(constraint.fields)
        for expression in constraint.expressions:
            names |= {ref[0] for ref in _refs(expression)}
        rules.append((constraint.name, names))
    return rules


def _refs(expression) -> set[tuple[str, ...]]:
    if isinstance(expression, models.F):
        return {(expression.name.split("__")[0],)}
    found = set()
    for source in getattr(expression, "get_source_expressions", list)():
        if source is not None:
            found |= _refs(source)
    return found


def _org_names(model) -> set[str]:
    field = org_field(model)
    return {field.name, field.attname} if field else set()


def test_the_exception_lists_name_real_models():
    labels = {m._meta.label for m in project_models()}
    assert set(NOT_TENANT_DATA) <= labels
    assert set(UNIQUE_WITHOUT_ORG) <= labels


@pytest.mark.parametrize("model", project_models(), ids=lambda m: m._meta.label)
def test_every_project_model_is_tenant_data_with_org_or_a_listed_exception(model):
    label = model._meta.label
    if label in NOT_TENANT_DATA:
        assert org_field(model) is None, f"{label} has org: drop it from NOT_TENANT_DATA"
        return
    assert org_field(model) is not None, (
        f"{label} has no org foreign key: tenant data needs one (ADR 0009), or list the model "
        "in NOT_TENANT_DATA with the reason"
    )


@pytest.mark.parametrize(
    "model", [m for m in project_models() if org_field(m)], ids=lambda m: m._meta.label
)
def test_every_unique_rule_on_a_tenant_model_includes_org(model):
    label = model._meta.label
    allowed = UNIQUE_WITHOUT_ORG.get(label, {})
    missing = [
        name
        for name, fields in unique_rules(model)
        if not fields & _org_names(model) and name not in allowed
    ]
    assert not missing, (
        f"{label}: unique without org: {missing}; include org (ADR 0009) or list it in "
        "UNIQUE_WITHOUT_ORG with the reason"
    )


def test_the_walk_sees_expression_constraints_and_one_to_ones():
    """The checks above would notice each way of declaring uniqueness."""
    from rallypoynt.transactions.models import DealSummary

    rules = dict(unique_rules(DealSummary))
    assert rules["dealsummary_uniq"] == {"org", "deal"}
    assert not DealSummary._meta.get_field("deal").unique
