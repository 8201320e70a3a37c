"""Checklists: templates chosen by side and state, due dates counted in business days over
the state's holidays, recounted after an amendment; items marked; YAML refused by path."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.models import Event
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.domain import (
    checklist_defaults_load,
    checklist_items_parse,
    checklist_template_parse,
)
from rallypoynt.transactions.models import (
    ChecklistItem,
    ChecklistTemplate,
    Deal,
)
from rallypoynt.transactions.selectors import checklist_due_soon, checklist_groups
from rallypoynt.transactions.services.checklists import (
    checklist_dues_recompute,
    checklist_item_add,
    checklist_item_mark,
    checklist_template_best,
    checklist_template_save,
    checklist_templates_for,
    checklists_apply,
)
from rallypoynt.transactions.tests.factories import deal_for


def items_of(deal, kind="due_diligence") -> dict[str, ChecklistItem]:
    return {i.key: i for i in ChecklistItem.objects.filter(deal=deal, kind=kind)}


def test_the_shipped_templates_are_valid_and_cover_every_kind_and_a_state_variant():
    templates = checklist_defaults_load()
    found = {(t["kind"], t["side"], t["state"]) for t in templates}
    assert {("due_diligence", "buy", ""), ("due_diligence", "sell", "")} <= found
    assert {("pre_closing", "", ""), ("closing", "", "")} <= found
    assert {("termination", "buy", ""), ("termination", "sell", "")} <= found
    assert ("due_diligence", "buy", "NJ") in found and ("due_diligence", "buy", "TX") in found


def test_the_most_specific_template_wins():
    rows = [
        ChecklistTemplate(pk=1, kind="due_diligence", side="", state="", name="all"),
        ChecklistTemplate(pk=2, kind="due_diligence", side="", state="NJ", name="state"),
        ChecklistTemplate(pk=3, kind="due_diligence", side="buy", state="", name="side"),
        ChecklistTemplate(pk=4, kind="due_diligence", side="buy", state="NJ", name="both"),
        ChecklistTemplate(pk=5, kind="closing", side="buy", state="NJ", name="other kind"),
    ]

    def best(side, state, rows=rows):
        found = checklist_template_best(rows, kind="due_diligence", side=side, state=state)
        return found.name if found else None

    assert best("buy", "NJ") == "both"
    assert best("buy", "CO") == "side"
    assert best("sell", "NJ") == "state"
    assert best("sell", "CO") == "all"
    assert best("buy", "CO", rows[:1]) == "all"
    assert best("buy", "CO", rows[4:]) is None


@pytest.mark.django_db
def test_a_buyer_in_new_jersey_gets_attorney_review_counted_over_lincolns_birthday(brokerage):
    # Wed Feb 10 2027 + 3 business days: Fri 12 is Lincoln's Birthday in NJ, Mon 15 is
    # Presidents Day, so the attorney review ends on Wed Feb 17.
    deal = deal_for(
        brokerage.ben, state="NJ", accepted_on=date(2027, 2, 10), closing_on=date(2027, 3, 26)
    )
    created = checklists_apply(deal=deal, actor=brokerage.ben)
    buy = items_of(deal)
    assert buy["attorney-review"].due_on == date(2027, 2, 17)
    assert buy["attorney-review"].responsible_role == "attorney"
    assert buy["order-inspection"].due_on == date(2027, 2, 12)  # calendar days: holiday or not
    assert {i.kind for i in created} == {"due_diligence", "pre_closing", "closing"}
    assert not items_of(deal, "termination")
    event = Event.objects.get(kind="checklist.applied", subject_id=deal.pk)
    assert (
        "Buyer's due diligence schedule (New Jersey)" in event.payload["templates"]["due_diligence"]
    )


@pytest.mark.django_db
def test_a_buyer_in_colorado_gets_the_plain_schedule_and_a_seller_the_sellers(brokerage):
    colorado = deal_for(brokerage.ben, accepted_on=date(2026, 12, 23))
    checklists_apply(deal=colorado)
    buy = items_of(colorado)
    assert "attorney-review" not in buy and "order-inspection" in buy
    # Wed Dec 23 + 3 business days skips Christmas Day and the weekend: Tue Dec 29.
    assert buy["deliver-earnest-money"].due_on == date(2026, 12, 29)
    # No closing date yet: the closing checklist waits for one.
    assert all(i.due_on is None for i in items_of(colorado, "closing").values())

    seller = deal_for(brokerage.ben, side="sell", state="NJ", accepted_on=date(2027, 2, 10))
    checklists_apply(deal=seller)
    sell = items_of(seller)
    assert "deliver-disclosures" in sell and "order-payoff" in sell
    assert "attorney-review" not in sell and "order-inspection" not in sell


@pytest.mark.django_db
def test_dual_agency_gets_both_sides_and_the_shared_lists_once(brokerage):
    deal = deal_for(brokerage.ben, dual=True, accepted_on=date(2026, 6, 1))
    checklists_apply(deal=deal, kinds=["due_diligence", "pre_closing", "termination"])
    assert {"order-inspection", "deliver-disclosures"} <= set(items_of(deal))
    pre = ChecklistItem.objects.filter(deal=deal, kind="pre_closing")
    assert pre.count() == len(pre.values("key").distinct())
    termination = items_of(deal, "termination")
    assert {"earnest-money-release", "seller-signs-release", "relist"} <= set(termination)
    assert all(i.due_on is None and i.anchor == "" for i in termination.values())


@pytest.mark.django_db
def test_applying_again_keeps_what_is_there_and_adds_only_new_keys(brokerage):
    deal = deal_for(brokerage.ben, accepted_on=date(2026, 6, 1), closing_on=date(2026, 7, 15))
    checklists_apply(deal=deal)
    first = items_of(deal)["order-inspection"]
    checklist_item_mark(actor=brokerage.ben, item_id=first.pk, status="done")
    assert checklists_apply(deal=deal) == []
    template = ChecklistTemplate.objects.get(
        org=brokerage.org, kind="due_diligence", side="buy", state=""
    )
    extra = {"key": "radon", "title": "Radon test", "anchor": "acceptance", "days": 4}
    checklist_template_save(
        actor=brokerage.broker,
        kind="due_diligence",
        side="buy",
        state="",
        name=template.name,
        items=[*template.items, extra],
    )
    added = checklists_apply(deal=deal, kinds=["due_diligence"])
    assert [i.key for i in added] == ["radon"] and added[0].due_on == date(2026, 6, 5)
    assert items_of(deal)["order-inspection"].status == "done"
    assert added[0].position > max(i.position for k, i in items_of(deal).items() if k != "radon")


@pytest.mark.django_db
def test_an_amended_closing_date_moves_the_open_items_only(brokerage):
    # Closing Tue Jan 19 2027: 3 business days before skips MLK Day (Mon Jan 18).
    deal = deal_for(brokerage.ben, accepted_on=date(2026, 12, 1), closing_on=date(2027, 1, 19))
    checklists_apply(deal=deal)
    pre = items_of(deal, "pre_closing")
    assert pre["closing-disclosure-review"].due_on == date(2027, 1, 13)
    done = pre["utilities"]
    checklist_item_mark(actor=brokerage.ben, item_id=done.pk, status="done")
    inspection_before = items_of(deal)["order-inspection"].due_on

    # The amendment service calls the recount; here the date moves by itself, to test it alone.
    Deal.objects.filter(pk=deal.pk).update(closing_on=date(2027, 2, 5))
    deal.refresh_from_db()
    moved = checklist_dues_recompute(deal=deal)
    pre = items_of(deal, "pre_closing")
    assert moved == len(ChecklistItem.objects.filter(deal=deal, anchor="closing")) - 1
    assert pre["closing-disclosure-review"].due_on == date(2027, 2, 2)
    assert pre["utilities"].due_on == date(2027, 1, 12)  # done: kept as it was
    assert items_of(deal)["order-inspection"].due_on == inspection_before
    assert checklist_dues_recompute(deal=deal) == 0


@pytest.mark.django_db
def test_marking_an_item_done_na_and_reopened_keeps_who_and_when(brokerage, other):
    deal = deal_for(brokerage.ben, accepted_on=org_today())
    checklists_apply(deal=deal, kinds=["due_diligence"])
    item = items_of(deal)["order-inspection"]
    done = checklist_item_mark(actor=brokerage.ben, item_id=item.pk, status="done", note="Booked")
    assert done.status == "done" and done.done_by == brokerage.ben and done.done_at
    assert done.note == "Booked"
    with pytest.raises(Conflict):
        checklist_item_mark(actor=brokerage.ben, item_id=item.pk, status="done")
    reopened = checklist_item_mark(actor=brokerage.ben, item_id=item.pk, status="reopen")
    assert reopened.status == "open" and reopened.done_by is None and reopened.done_at is None
    assert checklist_item_mark(actor=brokerage.ben, item_id=item.pk, status="na").status == "na"
    with pytest.raises(ValidationFailed) as bad:
        checklist_item_mark(actor=brokerage.ben, item_id=item.pk, status="maybe")
    assert "status" in bad.value.fields
    for outsider in (other.broker, brokerage.maria):
        with pytest.raises(NotFound):
            checklist_item_mark(actor=outsider, item_id=item.pk, status="reopen")
    assert Event.objects.filter(kind="checklist_item.done", subject_id=item.pk).exists()


@pytest.mark.django_db
def test_custom_items_get_their_own_keys_and_a_fixed_date(brokerage, other):
    deal = deal_for(brokerage.ben)
    due = date(2026, 9, 1)
    one = checklist_item_add(
        actor=brokerage.ben,
        deal_id=deal.pk,
        kind="closing",
        title="Order flowers",
        due_on=due,
    )
    two = checklist_item_add(
        actor=brokerage.ben, deal_id=deal.pk, kind="closing", title="Book the movers"
    )
    assert (one.key, two.key) == ("custom-1", "custom-2") and one.due_on == due
    assert two.position == one.position + 1
    assert checklists_apply(deal=deal, kinds=["closing"])  # template items join the custom ones
    with pytest.raises(ValidationFailed) as bad:
        checklist_item_add(actor=brokerage.ben, deal_id=deal.pk, kind="x", title="", role="pilot")
    assert set(bad.value.fields) == {"kind", "title", "role"}
    with pytest.raises(NotFound):
        checklist_item_add(actor=other.broker, deal_id=deal.pk, kind="closing", title="x")


@pytest.mark.django_db
def test_items_due_soon_across_my_deals_only(brokerage):
    today = org_today()
    mine = deal_for(brokerage.ben, accepted_on=today - timedelta(days=2))
    theirs = deal_for(brokerage.maria, accepted_on=today)
    checklists_apply(deal=mine, kinds=["due_diligence"])
    checklists_apply(deal=theirs, kinds=["due_diligence"])
    soon = list(checklist_due_soon(actor=brokerage.ben, days=3))
    assert soon and {i.deal_id for i in soon} == {mine.pk}
    assert all(i.due_on <= today + timedelta(days=3) for i in soon)
    assert soon == sorted(soon, key=lambda i: (i.due_on, i.pk))
    assert checklist_groups(deal=mine)[0]["kind"] == "due_diligence"
    with pytest.raises(ValidationFailed):
        checklist_due_soon(actor=brokerage.ben, days=0)


@pytest.mark.django_db
def test_only_admins_and_coordinators_change_templates(brokerage):
    items = [{"key": "a", "title": "A", "anchor": "closing", "days": -1}]
    for outsider in (brokerage.ben, brokerage.manager):
        with pytest.raises(PermissionDenied):
            checklist_template_save(
                actor=outsider, kind="closing", side="", state="", name="X", items=items
            )
    row = checklist_template_save(
        actor=brokerage.broker, kind="closing", side="sell", state="co", name="X", items=items
    )
    assert (row.side, row.state, row.items[0]["day_type"]) == ("sell", "CO", "calendar")
    # The defaults were copied in first, so the org still has every shipped template.
    assert len(checklist_templates_for(brokerage.org.pk)) == len(checklist_defaults_load()) + 1


def test_item_errors_are_named_by_their_path():
    good = {"key": "a", "title": "A", "anchor": "acceptance", "days": 2}
    with pytest.raises(ValidationFailed) as bad:
        checklist_items_parse(
            [
                good,
                {**good, "key": "b", "days": "soon"},
                {**good, "key": "a", "colour": "red"},
                {"key": "c", "title": "C", "days": 3},
                {**good, "key": "d", "anchor": "signing", "day_type": "lunar", "role": "pilot"},
                {**good, "key": "e", "days": True},
                "not a mapping",
            ]
        )
    fields = bad.value.fields
    assert fields["items[1].days"] and fields["items[2].colour"] == ["unknown field"]
    assert "used twice" in fields["items[2].key"][0]
    assert "anchor" in fields["items[3].days"][0]
    assert {"items[4].anchor", "items[4].day_type", "items[4].role"} <= set(fields)
    assert "items[5].days" in fields and "items[6]" in fields
    assert "items[0].key" not in fields
    assert checklist_items_parse([{**good, "anchor": "none", "days": 0}])[0]["anchor"] == ""


def test_template_and_file_errors_are_named_by_their_path():
    with pytest.raises(ValidationFailed) as bad:
        checklist_template_parse({"kind": "party", "side": "both", "name": "", "items": {}})
    assert {"kind", "side", "name", "items"} <= set(bad.value.fields)
    text = """
templates:
  - kind: closing
    name: Closing
    items:
      - {key: a, title: A, anchor: closing, days: -1}
      - {key: b, title: B, anchor: closing, days: 1, day_type: weekday}
  - {kind: termination, name: Ends, items: []}
  - {kind: termination, name: Again, items: []}
"""
    with pytest.raises(ValidationFailed) as bad:
        checklist_defaults_load(text)
    assert "templates[0].items[1].day_type" in bad.value.fields
    assert "templates[2]" in bad.value.fields  # a second termination template for all sides
    with pytest.raises(ValidationFailed) as bad:
        checklist_defaults_load("templates: [\n  - {kind: closing\n")
    assert any(name.startswith("line") for name in bad.value.fields)
