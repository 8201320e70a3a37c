"""Lead e-mails: RELM meta tags, plain-text layouts, the review queue for the unreadable."""

from __future__ import annotations

from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest

from rallypoynt.contacts.choices import Channel, LeadType
from rallypoynt.contacts.models import Contact, ContactEmail
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.leads.choices import ReviewStatus
from rallypoynt.leads.models import IdempotencyKey, LeadInquiry, LeadReviewItem
from rallypoynt.leads.services import email_intake as lead_email_module
from rallypoynt.leads.services.email_intake import lead_email_ingest
from rallypoynt.leads.services.email_parse import (
    KEPT_FOR_REVIEW,
    language_of,
    lead_email_parse,
    lead_type_of,
    name_split,
    price_parse,
)
from rallypoynt.orgs.tests.factories import OrganizationFactory

DATA = Path(__file__).parent / "data" / "lead_emails"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def message(
    *, text: str | None = None, html: str | None = None, message_id: str | None = None, **headers
) -> bytes:
    msg = EmailMessage()
    msg["From"] = headers.get("sender", "Portal <leads@portal.example>")
    msg["To"] = "demo@leads.example"
    msg["Subject"] = headers.get("subject", "New lead")
    if message_id:
        msg["Message-ID"] = message_id
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    return bytes(msg)


# Parsing the sample messages


def test_relm_message_gives_every_field_from_its_meta_tags():
    parsed = lead_email_parse(sample("relm_buyer.eml"))
    assert parsed.reason == ""
    assert parsed.subject == "New buyer lead for 2150 Pearl St, Boulder, CO 80302"
    assert parsed.message_id == "<20261103210209.7731.relm@homefinder-portal.example>"
    lead = parsed.lead
    assert (lead.first_name, lead.last_name) == ("Renée", "O'Connor")
    assert lead.emails == ["renee.oconnor@example.com"]
    assert lead.phones == ["(303) 555-0147"]
    assert lead.lead_type == LeadType.BUYER
    assert lead.source == "HomeFinder"
    assert lead.channel == Channel.EMAIL
    assert lead.timeframe == "1-3 months"
    assert lead.language == "es"
    assert lead.message.startswith("Is the garage heated?")
    assert lead.property == {
        "address": "2150 Pearl St",
        "city": "Boulder",
        "state": "CO",
        "postal_code": "80302",
        "mls_number": "IR1029384",
        "price": "875000.00",
    }


def test_portal_plain_text_message_is_read_from_its_label_lines():
    parsed = lead_email_parse(sample("portal_plain.eml"))
    lead = parsed.lead
    assert (lead.first_name, lead.last_name) == ("Marcus", "Delgado")
    assert lead.emails == ["Marcus.Delgado@Example.net"]
    assert lead.phones == ["720.555.0193"]
    assert lead.lead_type == LeadType.SELLER
    assert lead.timeframe == "Within 6 months"
    assert lead.property["mls_number"] == "7730112"
    assert lead.property["price"] == "615000.00"
    # "Property: street, city, ST zip" is split so routing can use the city and ZIP.
    assert lead.property["address"] == "4410 W 32nd Ave"
    assert (lead.property["city"], lead.property["postal_code"]) == ("Denver", "80212")
    # The message runs over two lines and stops at the blank line before the signature.
    assert lead.message == (
        "We are thinking about selling in the spring and would\n"
        "like to know what our house could list for."
    )
    # Without a lead_source the sender's domain says where the lead came from.
    assert lead.source == "realtyportal.example"


def test_multipart_alternative_message_prefers_the_complete_plain_part():
    parsed = lead_email_parse(sample("multipart_alternative.eml"))
    lead = parsed.lead
    assert (lead.first_name, lead.last_name) == ("Priya", "Natarajan")
    assert lead.phones == ["+1 303 555 0188"]
    assert lead.lead_type == LeadType.RENTER
    assert lead.property["price"] == "600000.00"  # the top of "$540,000 - $600,000"
    assert lead.property["city"] == "Golden"


def test_message_without_email_or_phone_has_a_reason_and_no_lead():
    parsed = lead_email_parse(sample("unparseable.eml"))
    assert parsed.lead is None
    assert parsed.reason == "No e-mail address or phone number found in the message."
    assert parsed.subject == "Re: your listing at 1200 Elm"


# Layout details


def test_relm_meta_tags_win_over_text_lines():
    html = (
        '<html><head><meta name="lead_email" content="meta@example.com">'
        '<meta name="lead_first_name" content="Ana"><meta name="lead_last_name" content="Ruiz">'
        "</head><body><p>Email: text@example.com</p><p>Name: Someone Else</p></body></html>"
    )
    parsed = lead_email_parse(message(html=html))
    assert parsed.lead.emails == ["meta@example.com"]
    assert (parsed.lead.first_name, parsed.lead.last_name) == ("Ana", "Ruiz")


def test_html_only_table_layout_is_read_as_label_lines():
    html = """<html><body><table>
      <tr><td>Full Name:</td><td>Lee
        Park</td></tr>
      <tr><td>E-mail Address:</td><td><a href="mailto:lee@example.com">lee@example.com</a></td></tr>
      <tr><td>MLS#:</td><td>ABC-55</td></tr>
    </table><script>var Email = "x";</script></body></html>"""
    lead = lead_email_parse(message(html=html)).lead
    assert (lead.first_name, lead.last_name, lead.emails) == ("Lee", "Park", ["lee@example.com"])
    assert lead.property["mls_number"] == "ABC-55"


def test_labels_are_case_insensitive_and_value_may_follow_on_the_next_line():
    text = "NAME:\n\nJo Bell\nPHONE NUMBER:   303-555-0100\nemail: <jo@example.com>\n"
    lead = lead_email_parse(message(text=text)).lead
    assert (lead.first_name, lead.last_name) == ("Jo", "Bell")
    assert lead.phones == ["303-555-0100"]
    assert lead.emails == ["jo@example.com"]


def test_invalid_email_sends_the_message_to_review_with_its_reason():
    parsed = lead_email_parse(message(text="Name: Al\nEmail: al at example dot com\n"))
    assert parsed.lead is None
    assert parsed.reason == "Invalid e-mail address 'al at example dot com'."
    assert parsed.fields["email"] == "al at example dot com"


def test_invalid_phone_sends_the_message_to_review_with_its_reason():
    parsed = lead_email_parse(message(text="Phone: 12\n"))
    assert parsed.reason == "Invalid phone number '12'."


def test_unknown_charset_and_control_characters_do_not_break_parsing():
    raw = (
        b"From: p@portal.example\r\nSubject: lead\r\n"
        b"Content-Type: text/plain; charset=x-made-up\r\n\r\n"
        b"Name: Zo\x00e Quinn\r\nEmail: zoe@example.com\r\n"
    )
    lead = lead_email_parse(raw).lead
    assert lead.first_name == "Zoe"
    assert lead.emails == ["zoe@example.com"]


def test_bytes_that_are_not_a_message_give_a_reason():
    parsed = lead_email_parse(b"\xff\xfe\x00garbage without headers")
    assert parsed.lead is None and parsed.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$450,000", Decimal("450000.00")),
        ("450k", Decimal("450000.00")),
        ("$1.2M", Decimal("1200000.00")),
        ("$300,000 - $350,000", Decimal("350000.00")),
        (525000, Decimal("525000.00")),
        ("call me", None),
        ("", None),
        ("9" * 20, None),
        (float("nan"), None),
    ],
)
def test_price_parse(raw, expected):
    assert price_parse(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Buyer", LeadType.BUYER),
        ("SELLER", LeadType.SELLER),
        ("Home valuation", LeadType.SELLER),
        ("Rental", LeadType.RENTER),
        ("lease", LeadType.RENTER),
        ("", LeadType.BUYER),
        ("something else", LeadType.BUYER),
    ],
)
def test_lead_type_of(raw, expected):
    assert lead_type_of(raw) == expected


def test_name_split_and_language_of():
    assert name_split("Mary Ann  Smith") == ("Mary Ann", "Smith")
    assert name_split("Smith, Mary Ann") == ("Mary Ann", "Smith")
    assert name_split("Cher") == ("Cher", "")
    assert language_of("Spanish") == "es"
    assert language_of("pt-BR") == "pt-br"
    assert language_of("a language name far too long") == ""


# Ingesting


@pytest.fixture
def org(db):
    return OrganizationFactory()


def test_ingest_creates_contact_and_email_inquiry(org):
    answer = lead_email_ingest(org_id=org.pk, raw=sample("relm_buyer.eml"))
    assert answer.status_code == 201 and not answer.is_replay
    inquiry = LeadInquiry.objects.get(pk=answer.body["inquiry_id"])
    assert inquiry.channel == Channel.EMAIL
    assert inquiry.org_id == org.pk
    assert inquiry.price == Decimal("875000.00")
    assert inquiry.raw["subject"].startswith("New buyer lead")
    assert inquiry.contact.emails.get().address == "renee.oconnor@example.com"
    assert inquiry.contact.phones.get().number == "+13035550147"
    assert answer.body["assigned_to"] == inquiry.assigned_to_id


def test_ingest_attaches_to_an_existing_contact_with_the_same_phone(org):
    contact = ContactFactory(org=org, phones=["+13035550147"])
    answer = lead_email_ingest(org_id=org.pk, raw=sample("relm_buyer.eml"))
    assert answer.body["deduplicated"] is True
    assert answer.body["contact_id"] == contact.pk
    assert ContactEmail.objects.filter(contact=contact, address="renee.oconnor@example.com")


def test_redelivered_message_with_the_same_message_id_creates_nothing_new(org):
    first = lead_email_ingest(org_id=org.pk, raw=sample("portal_plain.eml"))
    relayed = b"Received: from relay.example by mx.example; Wed, 4 Nov 2026\r\n" + sample(
        "portal_plain.eml"
    )
    again = lead_email_ingest(org_id=org.pk, raw=relayed)
    assert again.is_replay and again.body == first.body
    assert LeadInquiry.objects.filter(org=org).count() == 1
    assert Contact.objects.filter(org=org).count() == 1


def test_messages_without_message_id_are_each_taken_in(org):
    raw = message(text="Name: Ida\nEmail: ida@example.com\n")
    lead_email_ingest(org_id=org.pk, raw=raw)
    lead_email_ingest(org_id=org.pk, raw=raw)
    assert LeadInquiry.objects.filter(org=org).count() == 2
    assert Contact.objects.filter(org=org).count() == 1
    assert not IdempotencyKey.objects.filter(org=org).exists()


def test_unparseable_message_is_kept_for_review_with_audit_and_event(org):
    answer = lead_email_ingest(org_id=org.pk, raw=sample("unparseable.eml"))
    assert answer.status_code == 422
    assert answer.body["error"]["code"] == KEPT_FOR_REVIEW
    item = LeadReviewItem.objects.get(pk=answer.body["review_item_id"])
    assert item.status == ReviewStatus.OPEN
    assert item.sender == "Showing Desk <desk@showingdesk.example>"
    assert item.reason == "No e-mail address or phone number found in the message."
    assert "asked for a call back" in item.raw and "—" in item.raw
    assert Event.objects.filter(org=org, kind="lead.review_queued").count() == 1
    assert AuditEntry.objects.filter(org=org, action="lead_review.create").count() == 1
    assert not Contact.objects.filter(org=org).exists()
    again = lead_email_ingest(org_id=org.pk, raw=sample("unparseable.eml"))
    assert again.is_replay and LeadReviewItem.objects.filter(org=org).count() == 1


def test_latin1_message_is_stored_for_review_without_losing_characters(org):
    raw = (
        b"From: x@portal.example\r\nSubject: Caf\xe9\r\nContent-Type: text/plain; "
        b"charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nBonjour, caf\xe9 \x00!\r\n"
    )
    answer = lead_email_ingest(org_id=org.pk, raw=raw)
    item = LeadReviewItem.objects.get(pk=answer.body["review_item_id"])
    assert "café" in item.raw and "\x00" not in item.raw


def test_long_source_is_cut_to_fit(org):
    raw = message(text="Name: Ann\nEmail: ann@example.com\nSource: " + "s" * 150)
    answer = lead_email_ingest(org_id=org.pk, raw=raw)
    assert LeadInquiry.objects.get(pk=answer.body["inquiry_id"]).source == "s" * 100


def test_lead_that_intake_refuses_goes_to_review_with_intakes_reason(org, monkeypatch):
    def refuse(**kwargs):
        raise ValidationFailed("The lead is not valid.", fields={"type": ["one of buyer"]})

    monkeypatch.setattr(lead_email_module, "lead_intake", refuse)
    answer = lead_email_ingest(org_id=org.pk, raw=sample("relm_buyer.eml"))
    assert answer.status_code == 422
    item = LeadReviewItem.objects.get(pk=answer.body["review_item_id"])
    assert item.reason == "The lead is not valid. type: one of buyer"
