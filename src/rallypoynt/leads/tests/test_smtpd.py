"""A real aiosmtpd server on loopback takes lead e-mails sent with smtplib."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest

from rallypoynt.contacts.choices import Channel
from rallypoynt.contacts.models import ContactEmail
from rallypoynt.leads.choices import ReviewStatus
from rallypoynt.leads.models import LeadInquiry, LeadReviewItem
from rallypoynt.leads.smtpd import org_for_recipient, slug_candidates, smtpd_controller
from rallypoynt.orgs.tests.factories import OrganizationFactory
from tests.subprocess_env import free_port

pytestmark = pytest.mark.django_db(transaction=True)

DATA = Path(__file__).parent / "data" / "lead_emails"


@pytest.fixture
def org():
    return OrganizationFactory(slug="front-range")


@pytest.fixture
def server():
    """Start a server; yields a function (default_slug) -> (host, port, reports)."""
    controllers = []

    def start(default_slug: str | None = None):
        reports: list[str] = []
        controller = smtpd_controller(
            host="127.0.0.1", port=free_port(), default_slug=default_slug, report=reports.append
        )
        controller.start()
        controllers.append(controller)
        return controller.hostname, controller.port, reports

    yield start
    for controller in controllers:
        controller.stop()


def send(host: str, port: int, to: list[str], raw: bytes) -> dict:
    # On the wire lines end in CRLF; the sample files keep the local LF convention.
    wire = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        return smtp.sendmail("portal@homefinder-portal.example", to, wire)


def test_message_to_the_org_slug_becomes_a_lead(org, server):
    host, port, reports = server()
    refused = send(
        host, port, ["front-range@leads.example"], (DATA / "relm_buyer.eml").read_bytes()
    )
    assert refused == {}
    inquiry = LeadInquiry.objects.get(org=org)
    assert inquiry.channel == Channel.EMAIL and inquiry.source == "HomeFinder"
    assert ContactEmail.objects.filter(org=org, address="renee.oconnor@example.com").exists()
    assert reports == [
        f"message from portal@homefinder-portal.example: org {org.pk}: inquiry {inquiry.pk}"
    ]


def test_plus_tag_names_the_org(org, server):
    host, port, _ = server()
    send(
        host, port, ["leads+front-range@inbound.example"], (DATA / "portal_plain.eml").read_bytes()
    )
    assert LeadInquiry.objects.get(org=org).lead_type == "seller"


def test_unknown_recipient_is_refused_with_550(org, server):
    host, port, _ = server()
    with pytest.raises(smtplib.SMTPRecipientsRefused) as exc:
        send(host, port, ["nobody@leads.example"], (DATA / "relm_buyer.eml").read_bytes())
    code, text = exc.value.recipients["nobody@leads.example"]
    assert code == 550 and b"No organization" in text
    assert not LeadInquiry.objects.exists()


def test_unknown_recipient_goes_to_the_default_org_when_one_is_set(org, server):
    host, port, _ = server(default_slug="front-range")
    send(host, port, ["sales@leads.example"], (DATA / "relm_buyer.eml").read_bytes())
    assert LeadInquiry.objects.filter(org=org).count() == 1


def test_unreadable_message_is_accepted_and_kept_for_review(org, server):
    host, port, reports = server()
    send(host, port, ["front-range@leads.example"], (DATA / "unparseable.eml").read_bytes())
    item = LeadReviewItem.objects.get(org=org)
    assert item.status == ReviewStatus.OPEN
    assert item.subject == "Re: your listing at 1200 Elm"
    assert f"review item {item.pk}" in reports[0]


def test_redelivery_of_the_same_message_creates_one_inquiry(org, server):
    host, port, reports = server()
    raw = (DATA / "multipart_alternative.eml").read_bytes()
    send(host, port, ["front-range@leads.example"], raw)
    send(host, port, ["front-range@leads.example"], raw)
    assert LeadInquiry.objects.filter(org=org).count() == 1
    assert reports[1].endswith("(already received)")


def test_one_message_to_two_orgs_lands_in_both(org, server):
    second = OrganizationFactory(slug="maple-key")
    host, port, _ = server()
    to = ["front-range@leads.example", "maple-key@leads.example", "front-range@x.example"]
    send(host, port, to, (DATA / "relm_buyer.eml").read_bytes())
    assert LeadInquiry.objects.filter(org=org).count() == 1
    assert LeadInquiry.objects.filter(org=second).count() == 1


def test_recipient_slug_candidates_and_lookup(org):
    assert slug_candidates("Leads+Front-Range@x.example") == [
        "front-range",
        "leads+front-range",
        "leads",
    ]
    assert slug_candidates("<demo@x.example>") == ["demo"]
    assert org_for_recipient("front-range@x.example") == org
    assert org_for_recipient("leads+front-range@x.example") == org
    assert org_for_recipient("leads@x.example") is None
    assert org_for_recipient("leads@x.example", "front-range") == org
