"""The contact pages' buttons parse what is posted: garbage (words, exponents, negative or
huge numbers, NUL, nothing) is an error on the page (4xx) and changes nothing; a filled-in
form still does what it did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from rallypoynt.contacts.models import Contact, ContactCollaborator, ImportJob, Task
from rallypoynt.contacts.services.csv_import import job_headers
from rallypoynt.contacts.tests.factories import ContactFactory, TaskFactory, uploaded
from rallypoynt.core.forms import AmountField, DayField, PercentField, whole_number
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.core.testing import FILLED, GARBAGE, client_for, rows_snapshot
from rallypoynt.leads.models import RoutingRule
from rallypoynt.leads.tests.factories import make_rule

pytestmark = pytest.mark.django_db

MODELS = (Contact, ContactCollaborator, Task, RoutingRule, ImportJob, AuditEntry, Event)
MESSAGE = '<li class="error">'  # the page's error message (base.html)


def snapshot() -> dict[str, list[dict]]:
    return rows_snapshot(MODELS)


@pytest.fixture
def world(brokerage):
    ben = brokerage.ben
    keep = ContactFactory(org=brokerage.org, owner=ben, first_name="Zelda", emails=["z@x.com"])
    twin = ContactFactory(org=brokerage.org, owner=ben, first_name="Zee", emails=["z@x.com"])
    job = uploaded(ben)
    return SimpleNamespace(
        brokerage=brokerage,
        keep=keep,
        twin=twin,
        task=TaskFactory(contact=keep, assignee=ben),
        rules=[make_rule(brokerage.org, "First"), make_rule(brokerage.org, "Second")],
        job=job,
        mapping={f"map-{i}": job.mapping[h] for i, h in enumerate(job_headers(job))},
    )


@dataclass
class Case:
    url: Callable[[SimpleNamespace], str]
    valid: Callable[[SimpleNamespace], dict]
    garbage: dict[str, tuple[str, ...]]
    who: str = "ben"
    status: int = 422
    shown: str = MESSAGE
    done: Callable[[SimpleNamespace], bool] = field(default=lambda w: True)


CASES: dict[str, Case] = {
    "not a duplicate": Case(
        url=lambda w: "/contacts/duplicates/dismiss/",
        valid=lambda w: {"first": w.keep.pk, "second": w.twin.pk},
        garbage={"first": GARBAGE, "second": GARBAGE},
        done=lambda w: Event.objects.filter(kind__contains="dismiss").exists(),
    ),
    "merge two contacts": Case(
        url=lambda w: f"/contacts/merge/{w.keep.pk}/{w.twin.pk}/",
        valid=lambda w: {"choice_first_name": "merge"},
        garbage={"choice_first_name": FILLED},
        shown='<div class="error" role="alert">',
        done=lambda w: (
            not Contact.objects.filter(pk=w.twin.pk).exists()
            and Contact.objects.get(pk=w.keep.pk).first_name == "Zee"
        ),
    ),
    "share a contact": Case(
        url=lambda w: f"/contacts/{w.keep.pk}/collaborators/",
        valid=lambda w: {"membership_id": w.brokerage.buyer.pk},
        garbage={"membership_id": GARBAGE},
        done=lambda w: ContactCollaborator.objects.filter(membership=w.brokerage.buyer).exists(),
    ),
    "tick a task": Case(
        url=lambda w: f"/contacts/tasks/{w.task.pk}/complete/",
        valid=lambda w: {"is_done": "1"},
        garbage={"is_done": FILLED},
        done=lambda w: Task.objects.get(pk=w.task.pk).is_done,
    ),
    "reorder routing rules": Case(
        url=lambda w: f"/leads/routing/rules/{w.rules[1].pk}/move/",
        valid=lambda w: {"direction": "up"},
        garbage={"direction": GARBAGE},
        who="broker",
        done=lambda w: RoutingRule.objects.order_by("position").first().pk == w.rules[1].pk,
    ),
    "map the import's columns": Case(
        url=lambda w: f"/contacts/import/{w.job.pk}/run/",
        valid=lambda w: {**w.mapping, "action": "dry_run"},
        garbage={"map-0": FILLED, "action": FILLED},
        status=400,  # the preview page's own convention
        shown='<div class="error" role="alert">',
    ),
}


def assert_error_shown(response, case: Case, value: str, where) -> None:
    """The page says what is wrong; a NUL is refused before any view (RefuseNulMiddleware,
    for every page and the API) with the 400 page."""
    page = response.content.decode()
    if "\x00" in value:
        assert response.status_code == 400 and "We could not read that" in page, where
    else:
        assert response.status_code == case.status, (where, response.status_code)
        assert case.shown in page, where


@pytest.mark.parametrize("name", list(CASES))
def test_garbage_is_an_error_on_the_page_and_changes_nothing(world, name):
    case = CASES[name]
    client = client_for(getattr(world.brokerage, case.who))
    before = snapshot()
    for field_name, values in case.garbage.items():
        for value in values:
            response = client.post(case.url(world), {**case.valid(world), field_name: value})
            assert_error_shown(response, case, value, (name, field_name, value))
            assert snapshot() == before, (name, field_name, value)


@pytest.mark.parametrize("name", list(CASES))
def test_a_filled_in_form_still_does_its_work(world, name, django_capture_on_commit_callbacks):
    case = CASES[name]
    client = client_for(getattr(world.brokerage, case.who))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(case.url(world), case.valid(world))
    assert response.status_code == 302, (name, response.status_code)
    page = client.get(response.url)
    errors = [m for m in page.context["messages"] if m.level_tag == "error"]
    assert not errors, (name, [str(m) for m in errors])
    assert case.done(world), name


def test_garbage_from_htmx_is_a_422_fragment(world):
    client = client_for(world.brokerage.ben)
    before = snapshot()
    for value in FILLED[:-1]:
        response = client.post(
            "/contacts/duplicates/dismiss/",
            {"first": world.keep.pk, "second": value},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 422 and b"Not dismissed" in response.content, value
        response = client.post(
            f"/contacts/tasks/{world.task.pk}/complete/", {"is_done": value}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 422 and b"Not changed" in response.content, value
    assert snapshot() == before


def test_a_contact_out_of_sight_reads_like_a_missing_one(world):
    theirs = ContactFactory(org=world.brokerage.org, owner=world.brokerage.maria)
    client = client_for(world.brokerage.ben)
    url = "/contacts/duplicates/dismiss/"
    before = snapshot()
    hidden = client.post(url, {"first": world.keep.pk, "second": theirs.pk}, HTTP_HX_REQUEST="true")
    missing = client.post(
        url, {"first": world.keep.pk, "second": 987654321}, HTTP_HX_REQUEST="true"
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert snapshot() == before


def test_filters_that_do_not_parse_are_left_off(world):
    ben = client_for(world.brokerage.broker)
    for value in FILLED[:-1]:
        queue = ben.get("/leads/review/", {"status": value})
        assert queue.status_code == 200 and queue.context["status"] == "open", value
        picked = ben.get(f"/contacts/{world.keep.pk}/relationships/pick/", {"q": value * 50})
        assert picked.status_code == 200, value
        export = ben.get("/contacts/export.vcf", {"version": value})
        assert export.status_code == 400, value


@pytest.mark.parametrize(
    ("field", "typed", "parsed"),
    [
        (AmountField(label="Price"), "$425,000.50", Decimal("425000.50")),
        (AmountField(label="Price"), "", None),
        (PercentField(label="Rate"), "2.5%", Decimal("2.5")),
        (DayField(label="On"), "2026-03-31", date(2026, 3, 31)),
        (whole_number("Days", low=-365, high=365, unit="days"), "-3", -3),
    ],
)
def test_the_bounded_fields_read_what_agents_type(field, typed, parsed):
    assert field.clean(typed) == parsed


@pytest.mark.parametrize(
    ("field", "typed", "says"),
    [
        (AmountField(label="Price"), "1e3", "Enter an amount in dollars"),
        (AmountField(label="Price"), "-1", "Enter an amount in dollars"),
        (AmountField(label="Price"), "NaN", "Enter an amount in dollars"),
        (AmountField(label="Price"), "1" * 14, "Enter an amount up to $999,999,999,999.99."),
        (AmountField(label="Price"), "1.005", "at most 2 decimals"),
        (PercentField(label="Rate"), "101", "Enter a percentage from 0 to 100"),
        (DayField(label="On"), "9999-12-31", "Enter a date from 1900 to 2200."),
        (DayField(label="On"), "2026-02-30", "Enter a date, e.g. 2026-03-31."),
        (whole_number("Days", low=0, high=365, unit="days"), "three", "whole number of days"),
        (whole_number("Days", low=0, high=365, unit="days"), "9" * 20, "from 0 to 365"),
    ],
)
def test_the_bounded_fields_name_what_is_wrong(field, typed, says):
    with pytest.raises(ValidationError) as caught:
        field.clean(typed)
    assert says in " ".join(caught.value.messages)
