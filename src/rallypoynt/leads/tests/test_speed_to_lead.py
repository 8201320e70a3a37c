"""Speed to lead: due times in business hours, acknowledgement and consent, first response,
escalation. Time is frozen by passing explicit datetimes; nothing sleeps."""

from __future__ import annotations

import socket
from datetime import datetime, time, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from rallypoynt.contacts.choices import Consent
from rallypoynt.contacts.models import ContactCollaborator, Touchpoint
from rallypoynt.contacts.services.activity import TouchpointIn, touchpoint_log
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import PermissionDenied, ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.leads.choices import InquiryStatus, RoutingAction
from rallypoynt.leads.models import LeadInquiry, LeadSettings, RoutingRule
from rallypoynt.leads.selectors.config import lead_config_for
from rallypoynt.leads.services import sla as lead_sla
from rallypoynt.leads.services import speed_to_lead
from rallypoynt.leads.services.intake import LeadIn, lead_intake
from rallypoynt.leads.tasks import inquiry_acknowledge, inquiry_sla_check
from rallypoynt.orgs.models import BusinessHours, Notification, Organization
from rallypoynt.orgs.tests.brokerage import Brokerage, build_brokerage, fresh
from rallypoynt.orgs.tests.factories import MembershipFactory, TeamFactory, team_with

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")
# Friday 7 March 2025, half an hour before closing; US clocks spring forward that Sunday.
FRIDAY_1630 = datetime(2025, 3, 7, 16, 30, tzinfo=DENVER)
MONDAY_0930 = datetime(2025, 3, 10, 9, 30, tzinfo=DENVER)


@pytest.fixture
def brokerage(db) -> Brokerage:
    """The demo-shaped org, open 9 to 5 on weekdays in Denver."""
    found = build_brokerage()
    found.org.time_zone = "America/Denver"
    found.org.save()
    BusinessHours.objects.bulk_create(
        BusinessHours(org=found.org, weekday=day, opens_at=time(9), closes_at=time(17))
        for day in range(5)
    )
    return found


_seq = iter(range(1_000_000))


def intake(org, **values) -> LeadInquiry:
    values.setdefault("emails", [f"lead{next(_seq)}@example.net"])
    values.setdefault("first_name", "Lee")
    return lead_intake(org_id=org.pk, lead=LeadIn(**values)).inquiry


def assign_all_to(member) -> RoutingRule:
    return RoutingRule.objects.create(
        org=member.org, name="All", action=RoutingAction.ASSIGN, assignee=member
    )


def received(inquiry: LeadInquiry, at: datetime) -> LeadInquiry:
    """Pretend the inquiry arrived at `at` and recompute its due time."""
    LeadInquiry.objects.filter(pk=inquiry.pk).update(received_at=at)
    config = lead_config_for(Organization.objects.get(pk=inquiry.org_id))
    due = speed_to_lead.first_response_due(config, at)
    LeadInquiry.objects.filter(pk=inquiry.pk).update(first_response_due_at=due)
    return LeadInquiry.objects.get(pk=inquiry.pk)


# due times


def test_a_lead_at_friday_1630_is_due_monday_0930_local(brokerage):
    inquiry = received(intake(brokerage.org), FRIDAY_1630)
    assert inquiry.first_response_due_at == MONDAY_0930


def test_a_holiday_does_not_count_toward_the_target(brokerage):
    christmas_eve = datetime(2025, 12, 24, 16, 30, tzinfo=DENVER)
    inquiry = received(intake(brokerage.org), christmas_eve)
    assert inquiry.first_response_due_at == datetime(2025, 12, 26, 9, 30, tzinfo=DENVER)


def test_a_weekend_lead_is_due_an_hour_after_monday_opens(brokerage):
    saturday = datetime(2025, 3, 8, 11, 0, tzinfo=DENVER)
    inquiry = received(intake(brokerage.org), saturday)
    assert inquiry.first_response_due_at == datetime(2025, 3, 10, 10, 0, tzinfo=DENVER)


def test_the_target_comes_from_the_lead_settings(brokerage):
    LeadSettings.objects.create(org=brokerage.org, first_response_minutes=15)
    inquiry = received(intake(brokerage.org), datetime(2025, 3, 5, 10, 0, tzinfo=DENVER))
    assert inquiry.first_response_due_at == datetime(2025, 3, 5, 10, 15, tzinfo=DENVER)


def test_an_org_without_opening_hours_counts_the_default_week():
    agent = MembershipFactory()
    new_york = ZoneInfo("America/New_York")
    assert agent.org.time_zone == "America/New_York"
    inquiry = received(intake(agent.org), datetime(2025, 3, 7, 16, 30, tzinfo=new_york))
    assert inquiry.first_response_due_at == datetime(2025, 3, 10, 9, 30, tzinfo=new_york)


# acknowledgement


def test_intake_sends_the_acknowledgement_once_and_records_it_on_the_timeline(
    brokerage, django_capture_on_commit_callbacks
):
    assign_all_to(brokerage.ben)
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = intake(
            brokerage.org,
            first_name="Nora",
            emails=["nora@example.net"],
            property={"address": "12 Pearl St", "city": "Boulder"},
        )
    acks = [m for m in mail.outbox if m.to == ["nora@example.net"]]
    assert len(acks) == 1
    assert acks[0].subject == f"Thanks for reaching out to {brokerage.org.name}"
    assert "Hi Nora," in acks[0].body
    assert "about 12 Pearl St, Boulder" in acks[0].body
    assert f"{brokerage.ben.user} will contact you shortly" in acks[0].body
    assert acks[0].reply_to == [brokerage.ben.user.email]
    inquiry.refresh_from_db()
    assert inquiry.acknowledged_at is not None and inquiry.ack_skipped_reason == ""
    touch = Touchpoint.objects.get(contact_id=inquiry.contact_id)
    assert (touch.is_automated, touch.kind, touch.inquiry_id) == (True, "email", inquiry.pk)
    assert inquiry_acknowledge.enqueue(inquiry.pk).return_value is False
    assert len([m for m in mail.outbox if m.to == ["nora@example.net"]]) == 1


def test_the_acknowledgement_is_plain_text_from_the_orgs_template(brokerage):
    LeadSettings.objects.create(
        org=brokerage.org,
        ack_subject="Hello {{ first_name }}\nfrom {{ org_name }}",
        ack_body="<b>{{ first_name }}</b> & {{ agent_name|default:'us' }}",
    )
    inquiry = intake(brokerage.org, first_name="Ana & Bo")
    assert speed_to_lead.inquiry_acknowledge_send(inquiry_id=inquiry.pk) is True
    message = mail.outbox[-1]
    assert message.subject == f"Hello Ana & Bo from {brokerage.org.name}"
    assert message.body == f"<b>Ana & Bo</b> & {brokerage.broker.user}"


@pytest.mark.parametrize(
    ("contact_values", "reason"),
    [
        ({"email_consent": Consent.OPTED_OUT}, "The contact opted out of e-mail."),
        ({"is_do_not_contact": True}, "The contact is marked do not contact."),
    ],
)
def test_no_acknowledgement_without_consent(brokerage, contact_values, reason):
    ContactFactory(org=brokerage.org, emails=["quiet@example.net"], **contact_values)
    inquiry = intake(brokerage.org, emails=["quiet@example.net"])
    assert speed_to_lead.inquiry_acknowledge_send(inquiry_id=inquiry.pk) is False
    inquiry.refresh_from_db()
    assert (inquiry.acknowledged_at, inquiry.ack_skipped_reason) == (None, reason)
    assert not [m for m in mail.outbox if "quiet@example.net" in m.to]
    assert Event.objects.filter(kind="lead.ack_skipped", subject_id=inquiry.pk).exists()


def test_no_acknowledgement_without_an_email_address(brokerage):
    inquiry = intake(brokerage.org, emails=[], phones=["+13035550142"])
    assert speed_to_lead.inquiry_acknowledge_send(inquiry_id=inquiry.pk) is False
    assert LeadInquiry.objects.get(pk=inquiry.pk).ack_skipped_reason == (
        "The contact has no e-mail address."
    )


def test_no_acknowledgement_when_the_org_turned_it_off(brokerage):
    LeadSettings.objects.create(org=brokerage.org, is_ack_enabled=False)
    inquiry = intake(brokerage.org)
    assert speed_to_lead.inquiry_acknowledge_send(inquiry_id=inquiry.pk) is False
    assert "turned off" in LeadInquiry.objects.get(pk=inquiry.pk).ack_skipped_reason
    assert speed_to_lead.inquiry_acknowledge_send(inquiry_id=inquiry.pk) is False


def test_a_failed_send_is_recorded_not_retried(brokerage, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    inquiry = intake(brokerage.org)
    assert speed_to_lead.inquiry_acknowledge_send(inquiry_id=inquiry.pk) is False
    inquiry.refresh_from_db()
    assert inquiry.acknowledged_at is None
    assert inquiry.ack_skipped_reason.startswith("Sending failed:")


class Inbox:
    """aiosmtpd handler that keeps every message it is handed."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [
            message_from_bytes(e.content, policy=policy.default)
            for e in self.envelopes
            if address in e.rcpt_tos
        ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on 127.0.0.1 with Django's SMTP backend pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()


def test_the_acknowledgement_goes_out_over_smtp_once(
    brokerage, smtp_inbox, django_capture_on_commit_callbacks
):
    assign_all_to(brokerage.ben)
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = intake(brokerage.org, first_name="Sam", emails=["sam@example.net"])
    [ack] = smtp_inbox.to("sam@example.net")
    assert ack["Subject"] == f"Thanks for reaching out to {brokerage.org.name}"
    assert ack["X-RallyPoynt-Idempotency-Key"] == f"lead-ack-{inquiry.pk}"
    assert "Hi Sam," in ack.get_content()
    # The assignee's notification went through the same server.
    assert smtp_inbox.to(brokerage.ben.user.email)
    inquiry_acknowledge.enqueue(inquiry.pk)
    assert len(smtp_inbox.to("sam@example.net")) == 1


# first response


@pytest.fixture
def friday_lead(brokerage) -> LeadInquiry:
    """A lead for Ben received Friday 16:30, due Monday 09:30."""
    assign_all_to(brokerage.ben)
    return received(intake(brokerage.org), FRIDAY_1630)


def call(member, inquiry, at: datetime, kind="call", direction="outbound") -> Touchpoint:
    data = TouchpointIn(kind=kind, direction=direction, occurred_at=at)
    return touchpoint_log(actor=fresh(member), contact_id=inquiry.contact_id, data=data)


def test_the_assignees_call_is_the_first_response_in_business_minutes(brokerage, friday_lead):
    touch = call(brokerage.ben, friday_lead, datetime(2025, 3, 10, 9, 10, tzinfo=DENVER))
    inquiry = LeadInquiry.objects.get(pk=friday_lead.pk)
    assert inquiry.status == InquiryStatus.RESPONDED
    assert inquiry.first_responded_at == datetime(2025, 3, 10, 9, 10, tzinfo=DENVER)
    assert inquiry.first_response_minutes == 40
    assert Touchpoint.objects.get(pk=touch.pk).inquiry_id == inquiry.pk
    event = Event.objects.get(kind="lead.responded", subject_id=inquiry.pk)
    assert event.payload["is_within_target"] is True


def test_notes_inbound_messages_and_early_touchpoints_are_not_a_response(brokerage, friday_lead):
    monday = datetime(2025, 3, 10, 9, 5, tzinfo=DENVER)
    call(brokerage.ben, friday_lead, monday, kind="note")
    call(brokerage.ben, friday_lead, monday, direction="inbound")
    call(brokerage.ben, friday_lead, FRIDAY_1630 - timedelta(hours=1))
    assert LeadInquiry.objects.get(pk=friday_lead.pk).first_responded_at is None


def test_a_colleague_who_is_not_working_the_lead_does_not_answer_it(brokerage, friday_lead):
    call(brokerage.broker, friday_lead, datetime(2025, 3, 10, 9, 5, tzinfo=DENVER))
    assert LeadInquiry.objects.get(pk=friday_lead.pk).status == InquiryStatus.ASSIGNED


def test_a_collaborator_on_the_contact_answers_the_lead(brokerage, friday_lead):
    ContactCollaborator.objects.create(
        org=brokerage.org, contact_id=friday_lead.contact_id, membership=brokerage.maria
    )
    call(brokerage.maria, friday_lead, datetime(2025, 3, 10, 9, 5, tzinfo=DENVER))
    assert LeadInquiry.objects.get(pk=friday_lead.pk).first_response_minutes == 35


# escalation


def test_a_check_before_the_due_time_does_nothing(brokerage, friday_lead):
    early = MONDAY_0930 - timedelta(seconds=1)
    assert lead_sla.inquiry_sla_enforce(inquiry_id=friday_lead.pk, now=early) == "not_due"
    inquiry = LeadInquiry.objects.get(pk=friday_lead.pk)
    assert (inquiry.status, inquiry.escalated_at) == (InquiryStatus.ASSIGNED, None)


def test_an_unanswered_lead_escalates_to_the_broker_when_the_agent_has_no_team_lead(
    brokerage, friday_lead
):
    late = datetime(2025, 3, 10, 9, 45, tzinfo=DENVER)
    assert lead_sla.inquiry_sla_enforce(inquiry_id=friday_lead.pk, now=late) == "escalated"
    inquiry = LeadInquiry.objects.get(pk=friday_lead.pk)
    assert inquiry.status == InquiryStatus.ESCALATED
    assert inquiry.escalated_at == late
    assert inquiry.escalation_reason == (
        "First-response target of 60 business minutes missed: due Mon Mar 10, 2025, 9:30 AM MDT, "
        f"{brokerage.ben.user} logged no first response; 75 business minutes had passed at "
        f"Mon Mar 10, 2025, 9:45 AM MDT. Notified {brokerage.broker.user}."
    )
    note = Notification.objects.get(kind="lead.escalated")
    assert note.recipient == brokerage.broker
    assert AuditEntry.objects.filter(action="lead.escalate", object_id=inquiry.pk).exists()


def test_escalation_tells_the_team_lead_and_happens_once(brokerage):
    assign_all_to(brokerage.buyer)
    inquiry = received(intake(brokerage.org), FRIDAY_1630)
    late = MONDAY_0930 + timedelta(minutes=1)
    assert lead_sla.inquiry_sla_enforce(inquiry_id=inquiry.pk, now=late) == "escalated"
    again = late + timedelta(hours=1)
    assert lead_sla.inquiry_sla_enforce(inquiry_id=inquiry.pk, now=again) == ("already_escalated")
    notes = Notification.objects.filter(kind="lead.escalated")
    assert [n.recipient for n in notes] == [brokerage.lead]
    assert LeadInquiry.objects.get(pk=inquiry.pk).assigned_to == brokerage.buyer


def test_escalation_can_reassign_to_the_next_member_of_the_team(brokerage):
    LeadSettings.objects.create(org=brokerage.org, is_reassign_on_escalation=True)
    assign_all_to(brokerage.buyer)
    inquiry = received(intake(brokerage.org), FRIDAY_1630)
    lead_sla.inquiry_sla_enforce(inquiry_id=inquiry.pk, now=MONDAY_0930)
    inquiry.refresh_from_db()
    assert inquiry.assigned_to == brokerage.lead
    assert inquiry.status == InquiryStatus.ESCALATED
    assert inquiry.escalation_reason.endswith(f"Reassigned to {brokerage.lead.user}.")
    assert (
        "Reassigned on escalation at Mon Mar 10, 2025, 9:30 AM MDT: round robin in team Summit"
        in inquiry.routing_reason
    )
    assert Notification.objects.filter(recipient=brokerage.buyer, kind="lead.reassigned").exists()
    # The new assignee's call still answers the lead.
    call(brokerage.lead, inquiry, datetime(2025, 3, 10, 9, 50, tzinfo=DENVER))
    assert LeadInquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.RESPONDED


def test_reassignment_on_escalation_follows_the_rules_rotation(brokerage):
    LeadSettings.objects.create(org=brokerage.org, is_reassign_on_escalation=True)
    team = TeamFactory(org=brokerage.org, name="Rotation")
    members = [MembershipFactory(org=brokerage.org) for _ in range(3)]
    team_with(team, *members)
    RoutingRule.objects.create(
        org=brokerage.org, name="RR", action=RoutingAction.ROUND_ROBIN, team=team
    )
    inquiry = received(intake(brokerage.org), FRIDAY_1630)
    assert inquiry.assigned_to == members[0]
    lead_sla.inquiry_sla_enforce(inquiry_id=inquiry.pk, now=MONDAY_0930)
    assert LeadInquiry.objects.get(pk=inquiry.pk).assigned_to == members[1]
    assert intake(brokerage.org).assigned_to == members[2]


def test_an_answered_lead_never_escalates(brokerage, friday_lead):
    call(brokerage.ben, friday_lead, datetime(2025, 3, 10, 11, 0, tzinfo=DENVER))
    late = datetime(2025, 3, 10, 12, 0, tzinfo=DENVER)
    assert lead_sla.inquiry_sla_enforce(inquiry_id=friday_lead.pk, now=late) == "responded"
    inquiry = LeadInquiry.objects.get(pk=friday_lead.pk)
    assert inquiry.first_response_minutes == 150
    assert not Notification.objects.filter(kind="lead.escalated").exists()


def test_an_unclaimed_pond_lead_escalates_to_the_pond_teams_lead(brokerage):
    RoutingRule.objects.create(
        org=brokerage.org, name="Pond", action=RoutingAction.POND, team=brokerage.summit
    )
    inquiry = received(intake(brokerage.org), FRIDAY_1630)
    lead_sla.inquiry_sla_enforce(inquiry_id=inquiry.pk, now=MONDAY_0930)
    inquiry.refresh_from_db()
    assert "nobody claimed it from team Summit's pond" in inquiry.escalation_reason
    assert [n.recipient for n in Notification.objects.filter(kind="lead.escalated")] == [
        brokerage.lead
    ]


def test_a_pond_lead_whose_team_was_deleted_still_escalates(brokerage):
    RoutingRule.objects.create(
        org=brokerage.org, name="Pond", action=RoutingAction.POND, team=brokerage.summit
    )
    inquiry = received(intake(brokerage.org), FRIDAY_1630)
    brokerage.summit.delete()
    assert lead_sla.inquiry_sla_enforce(inquiry_id=inquiry.pk, now=MONDAY_0930) == "escalated"
    inquiry.refresh_from_db()
    assert "pond of a team since deleted" in inquiry.escalation_reason
    assert Notification.objects.filter(kind="lead.escalated").exists()


def test_the_sla_task_run_early_by_the_queue_leaves_the_lead_alone(
    brokerage, django_capture_on_commit_callbacks
):
    assign_all_to(brokerage.ben)
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = intake(brokerage.org)
    assert inquiry_sla_check.enqueue(inquiry.pk).return_value == "not_due"
    assert LeadInquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.ASSIGNED


# settings


def test_the_broker_changes_the_lead_settings_with_an_audit_entry(brokerage):
    # Lead settings are org-wide: the broker's (an office manager's reach stops at the office).
    saved = speed_to_lead.lead_settings_update(
        actor=fresh(brokerage.broker),
        changes={"first_response_minutes": 30, "default_assignee_id": brokerage.ben.pk},
    )
    assert (saved.first_response_minutes, saved.default_assignee) == (30, brokerage.ben)
    entry = AuditEntry.objects.get(action="lead_settings.update")
    assert entry.changes["first_response_minutes"] == [60, 30]


@pytest.mark.parametrize("who", ["ben", "manager", "lead", "compliance"])
def test_agents_and_office_managers_cannot_change_the_lead_settings(brokerage, who):
    with pytest.raises(PermissionDenied):
        speed_to_lead.lead_settings_update(
            actor=fresh(brokerage.people[who]), changes={"first_response_minutes": 5}
        )
    assert not LeadSettings.objects.exists()


def test_bad_lead_settings_name_each_field_and_save_nothing(brokerage):
    other = build_brokerage("Other Realty")
    with pytest.raises(ValidationFailed) as caught:
        speed_to_lead.lead_settings_update(
            actor=brokerage.broker,
            changes={
                "first_response_minutes": 0,
                "ack_body": "Hi {% if %}",
                "ack_subject": "",
                "default_assignee_id": other.ben.pk,
                "is_ack_enabled": "yes",
                "colour": "red",
            },
        )
    assert set(caught.value.fields) == {
        "first_response_minutes",
        "ack_body",
        "ack_subject",
        "default_assignee_id",
        "is_ack_enabled",
        "colour",
    }
    assert not LeadSettings.objects.exists()


def test_a_person_is_acknowledged_once_a_window_however_many_leads_they_send(
    brokerage, django_capture_on_commit_callbacks
):
    import time_machine

    assign_all_to(brokerage.ben)
    start = datetime(2026, 12, 7, 15, 0, tzinfo=ZoneInfo("UTC"))
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            with django_capture_on_commit_callbacks(execute=True):
                last = intake(brokerage.org, emails=["busy@example.net"])
            clock.shift(timedelta(minutes=30))
        assert len([m for m in mail.outbox if m.to == ["busy@example.net"]]) == 1
        last.refresh_from_db()
        assert last.acknowledged_at is None
        assert "one per person every 24 hours" in last.ack_skipped_reason
        # A day on, the person is acknowledged again; a window of 0 acknowledges every lead.
        clock.shift(timedelta(hours=24))
        with django_capture_on_commit_callbacks(execute=True):
            intake(brokerage.org, emails=["busy@example.net"])
        speed_to_lead.lead_settings_update(actor=brokerage.broker, changes={"ack_window_hours": 0})
        with django_capture_on_commit_callbacks(execute=True):
            intake(brokerage.org, emails=["busy@example.net"])
    assert len([m for m in mail.outbox if m.to == ["busy@example.net"]]) == 3


def test_the_window_is_a_bounded_setting(brokerage):
    with pytest.raises(ValidationFailed) as caught:
        speed_to_lead.lead_settings_update(
            actor=brokerage.broker, changes={"ack_window_hours": 100_000}
        )
    assert "ack_window_hours" in caught.value.fields
