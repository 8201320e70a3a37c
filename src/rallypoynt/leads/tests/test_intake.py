"""lead_intake, whatever the channel: what it writes, and what it refuses without writing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rallypoynt.contacts.models import Contact
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.leads.services.intake import LeadIn, lead_intake

pytestmark = pytest.mark.django_db


def lead(price) -> LeadIn:
    return LeadIn(source="Website", emails=["p@example.com"], property={"price": price})


@pytest.mark.parametrize("price", ["NaN", "Infinity", "-1", "1e15", "1000000000000", "lots"])
def test_a_price_that_is_not_a_real_amount_is_refused_and_nothing_is_written(brokerage, price):
    before = (Contact.objects.count(), LeadInquiry.objects.count(), Event.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        lead_intake(org_id=brokerage.org.pk, lead=lead(price))
    assert "property.price" in caught.value.fields
    assert (Contact.objects.count(), LeadInquiry.objects.count(), Event.objects.count()) == before


@pytest.mark.parametrize(
    ("price", "stored"),
    [("$1,250,000", Decimal("1250000.00")), ("999999999999.99", Decimal("999999999999.99"))],
)
def test_prices_up_to_the_column_limit_are_kept_to_the_cent(brokerage, price, stored):
    result = lead_intake(org_id=brokerage.org.pk, lead=lead(price))
    assert LeadInquiry.objects.get(pk=result.inquiry.pk).price == stored


def test_one_intake_writes_its_audit_entries_and_events_together(brokerage):
    result = lead_intake(org_id=brokerage.org.pk, lead=lead(None))
    kinds = set(Event.objects.filter(org_id=brokerage.org.pk).values_list("kind", flat=True))
    assert {"contact.created", "lead.routed", "lead.received"} <= kinds
    actions = AuditEntry.objects.filter(org_id=brokerage.org.pk).values_list("action", flat=True)
    assert {"contact.create", "lead.route", "lead.receive"} <= set(actions)
    inquiry = LeadInquiry.objects.get(pk=result.inquiry.pk)
    # Routed before the contact existed: it is created owned by the assignee, in one write.
    assert result.contact.owner_id == inquiry.assigned_to_id is not None
    assert inquiry.first_response_due_at is not None
