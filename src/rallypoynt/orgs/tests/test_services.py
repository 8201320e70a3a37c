"""Writes on org structure: validation, audit + event on every write, tenant isolation."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from rallypoynt.accounts.models import User
from rallypoynt.accounts.tests.factories import PASSWORD, UserFactory
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.orgs import services
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import (
    BusinessHours,
    Closure,
    Invitation,
    Membership,
    Office,
    Organization,
    Team,
    TeamMember,
)
from rallypoynt.orgs.tests.brokerage import fresh
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NINE, FIVE = time(9), time(17)
STRONG = "a-Long-and-unusual-passphrase-42"


def roles_of(member: Membership) -> list[str]:
    return sorted(fresh(member).role_assignments.values_list("role", flat=True))


def hours_of(org) -> list[tuple[int, time, time]]:
    return list(
        BusinessHours.objects.filter(org=org).values_list("weekday", "opens_at", "closes_at")
    )


def invite(actor, email="new@example.com", roles=(Role.AGENT,), **kw) -> tuple[Invitation, str]:
    return services.invitation_create(actor=actor, email=email, roles=roles, **kw)


# organization_create


def test_organization_create_opens_monday_to_friday_nine_to_five():
    org = services.organization_create(name="Acme Realty", owner=UserFactory())
    assert org.slug == "acme-realty"
    assert hours_of(org) == [(day, NINE, FIVE) for day in range(5)]


def test_organization_create_makes_the_owner_broker_owner():
    owner = UserFactory()
    org = services.organization_create(name="Acme Realty", owner=owner)
    member = Membership.objects.get(org=org, user=owner)
    assert member.is_active
    assert roles_of(member) == [Role.BROKER_OWNER]


def test_organization_create_writes_audit_and_event_for_the_new_org():
    owner = UserFactory()
    org = services.organization_create(name="Acme Realty", owner=owner)
    audit = AuditEntry.objects.get(action="organization.create")
    event = Event.objects.get(kind="organization.created")
    assert (audit.org_id, audit.actor_id, audit.object_id) == (org.pk, owner.pk, org.pk)
    assert (event.org_id, event.actor_id, event.subject_id) == (org.pk, owner.pk, org.pk)


def test_organization_create_refuses_a_taken_slug():
    services.organization_create(name="Acme Realty", owner=UserFactory())
    with pytest.raises(Conflict) as exc:
        services.organization_create(name="ACME realty", owner=UserFactory())
    assert exc.value.fields == {"slug": ["taken"]}


def test_organization_create_with_bad_time_zone_creates_nothing():
    with pytest.raises(ValidationFailed) as exc:
        services.organization_create(name="Acme", owner=UserFactory(), time_zone="Mars/Base")
    assert "time_zone" in exc.value.fields
    assert not Organization.objects.exists()
    assert not Membership.objects.exists()


def test_organization_create_accepts_lowercase_holiday_codes_and_stores_them_upper():
    org = services.organization_create(
        name="Acme", owner=UserFactory(), holiday_country="us", holiday_subdivision="ca"
    )
    assert (org.holiday_country, org.holiday_subdivision) == ("US", "CA")


def test_organization_create_requires_a_name():
    with pytest.raises(ValidationFailed) as exc:
        services.organization_create(name="  ", owner=UserFactory())
    assert "name" in exc.value.fields


# organization_update


def test_organization_update_changes_settings_and_audits_the_diff(brokerage):
    org = services.organization_update(
        actor=brokerage.broker, time_zone="America/Denver", holiday_subdivision="co"
    )
    org.refresh_from_db()
    assert (org.time_zone, org.holiday_subdivision) == ("America/Denver", "CO")
    audit = AuditEntry.objects.get(action="organization.update")
    assert audit.changes == {
        "time_zone": ["America/New_York", "America/Denver"],
        "holiday_subdivision": ["", "CO"],
    }
    event = Event.objects.get(kind="organization.updated")
    assert event.org_id == org.pk
    assert event.payload == {"fields": ["holiday_subdivision", "time_zone"]}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"time_zone": "America"}, "time_zone"),  # a directory of zones, not a zone
        ({"time_zone": "x" * 300}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"holiday_country": "XX"}, "holiday_country"),
        ({"holiday_country": "USA"}, "holiday_country"),  # the column holds alpha-2
        ({"holiday_subdivision": "ZZ"}, "holiday_subdivision"),
        ({"holiday_country": "", "holiday_subdivision": "CA"}, "holiday_subdivision"),
        ({"name": ""}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"branding_name": "b" * 201}, "branding_name"),
    ],
)
def test_organization_update_rejects_bad_values_with_a_field_error_and_changes_nothing(
    brokerage, values, field
):
    before = Organization.objects.values().get(pk=brokerage.org.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.organization_update(actor=brokerage.broker, **values)
    assert list(exc.value.fields) == [field]
    assert Organization.objects.values().get(pk=brokerage.org.pk) == before
    assert not AuditEntry.objects.filter(action="organization.update").exists()
    assert not Event.objects.filter(kind="organization.updated").exists()


def test_organization_update_rejects_unknown_settings(brokerage):
    with pytest.raises(ValidationFailed) as exc:
        services.organization_update(actor=brokerage.broker, slug="hijack")
    assert exc.value.fields == {"slug": ["unknown"]}


@pytest.mark.parametrize("key", ["ben", "manager", "compliance"])
def test_organization_update_is_refused_to_roles_without_settings_rights(brokerage, key):
    with pytest.raises(PermissionDenied):
        services.organization_update(actor=brokerage.people[key], name="Mine now")
    brokerage.org.refresh_from_db()
    assert brokerage.org.name == "Front Range"


def test_systems_admin_may_update_settings(brokerage):
    services.organization_update(actor=brokerage.sysadmin, branding_name="FRR")
    brokerage.org.refresh_from_db()
    assert brokerage.org.display_name == "FRR"


# business_hours_set


def test_business_hours_set_replaces_the_week_and_missing_days_are_closed(brokerage):
    week = {0: [(time(8), time(12)), (time(13), time(18))], 5: [(time(10), time(14))]}
    services.business_hours_set(actor=brokerage.broker, week=week)
    assert hours_of(brokerage.org) == [
        (0, time(8), time(12)),
        (0, time(13), time(18)),
        (5, time(10), time(14)),
    ]
    assert AuditEntry.objects.filter(org=brokerage.org, action="business_hours.set").exists()
    assert Event.objects.filter(org=brokerage.org, kind="business_hours.changed").exists()


def test_business_hours_set_allows_closing_at_midnight(brokerage):
    services.business_hours_set(actor=brokerage.broker, week={4: [(time(18), time(0))]})
    assert hours_of(brokerage.org) == [(4, time(18), time(0))]


@pytest.mark.parametrize(
    ("week", "error"),
    [
        ({0: [(time(9), time(13)), (time(12), time(17))]}, "intervals overlap"),
        ({0: [(time(9), time(0)), (time(10), time(12))]}, "intervals overlap"),
        ({0: [(time(17), time(9))]}, "closes before it opens"),
        ({0: [(time(9), time(9))]}, "closes before it opens"),
        ({7: [(time(9), time(17))]}, "not a weekday (0=Mon to 6=Sun)"),
    ],
)
def test_business_hours_set_rejects_bad_intervals_and_keeps_the_old_hours(brokerage, week, error):
    services.business_hours_set(actor=brokerage.broker, week={1: [(NINE, FIVE)]})
    with pytest.raises(ValidationFailed) as exc:
        services.business_hours_set(actor=brokerage.broker, week=week)
    day = next(iter(week))
    assert exc.value.fields == {f"hours.{day}": [error]}
    assert hours_of(brokerage.org) == [(1, NINE, FIVE)]


def test_business_hours_set_leaves_other_orgs_hours_alone(brokerage, other):
    services.business_hours_set(actor=other.broker, week={2: [(NINE, FIVE)]})
    services.business_hours_set(actor=brokerage.broker, week={})
    assert hours_of(brokerage.org) == []
    assert hours_of(other.org) == [(2, NINE, FIVE)]


def test_business_hours_set_is_refused_to_an_agent(brokerage):
    with pytest.raises(PermissionDenied):
        services.business_hours_set(actor=brokerage.ben, week={})


# closures


def test_closure_add_records_the_day_with_audit_and_event(brokerage):
    closure = services.closure_add(
        actor=brokerage.broker, closed_on=date(2026, 12, 24), name=" Party "
    )
    assert (closure.org_id, closure.name) == (brokerage.org.pk, "Party")
    event = Event.objects.get(kind="closure.added")
    assert (event.org_id, event.payload) == (brokerage.org.pk, {"closed_on": "2026-12-24"})
    assert AuditEntry.objects.filter(org=brokerage.org, action="closure.add").exists()


def test_closure_add_refuses_a_day_already_closed(brokerage):
    services.closure_add(actor=brokerage.broker, closed_on=date(2026, 12, 24), name="Party")
    with pytest.raises(Conflict) as exc:
        services.closure_add(actor=brokerage.broker, closed_on=date(2026, 12, 24), name="Again")
    assert exc.value.fields == {"closed_on": ["already closed"]}


def test_same_closure_day_in_two_orgs_is_fine(brokerage, other):
    services.closure_add(actor=brokerage.broker, closed_on=date(2026, 12, 24), name="Party")
    services.closure_add(actor=other.broker, closed_on=date(2026, 12, 24), name="Party")
    assert Closure.objects.count() == 2


def test_closure_remove_deletes_and_writes_audit_and_event(brokerage):
    closure = services.closure_add(actor=brokerage.broker, closed_on=date(2026, 7, 3), name="X")
    services.closure_remove(actor=brokerage.broker, closure_id=closure.pk)
    assert not Closure.objects.exists()
    assert AuditEntry.objects.filter(org=brokerage.org, action="closure.remove").exists()
    assert Event.objects.filter(org=brokerage.org, kind="closure.removed").exists()


def test_closure_add_is_refused_to_an_office_manager(brokerage):
    with pytest.raises(PermissionDenied):
        services.closure_add(actor=brokerage.manager, closed_on=date(2026, 7, 3), name="X")
    assert not Closure.objects.exists()


# offices and teams


def test_office_create_adds_an_office_with_audit_and_event(brokerage):
    office = services.office_create(actor=brokerage.broker, name=" Golden ", phone="+13035550100")
    assert (office.org_id, office.name) == (brokerage.org.pk, "Golden")
    assert AuditEntry.objects.get(action="office.create").object_id == office.pk
    assert Event.objects.get(kind="office.created").org_id == brokerage.org.pk


def test_office_create_refuses_a_duplicate_name_ignoring_case(brokerage):
    with pytest.raises(Conflict) as exc:
        services.office_create(actor=brokerage.broker, name="DENVER")
    assert exc.value.fields == {"name": ["taken"]}
    assert Office.objects.filter(org=brokerage.org).count() == 2


def test_office_name_used_by_another_org_is_free(brokerage, other):
    services.office_create(actor=brokerage.broker, name="Golden")
    services.office_create(actor=other.broker, name="Golden")


@pytest.mark.parametrize(
    ("values", "field"),
    [({"name": " "}, "name"), ({"name": "n" * 201}, "name"), ({"phone": "1" * 33}, "phone")],
)
def test_office_create_rejects_bad_values(brokerage, values, field):
    with pytest.raises(ValidationFailed) as exc:
        services.office_create(actor=brokerage.broker, **{"name": "Golden", **values})
    assert list(exc.value.fields) == [field]


@pytest.mark.parametrize("key", ["manager", "ben", "compliance"])
def test_office_create_is_refused_without_manage_offices(brokerage, key):
    with pytest.raises(PermissionDenied):
        services.office_create(actor=brokerage.people[key], name="Golden")
    assert not Office.objects.filter(name="Golden").exists()


def test_team_create_in_an_office_by_an_office_manager(brokerage):
    team = services.team_create(
        actor=brokerage.manager, name="Canyon", office_id=brokerage.boulder.pk
    )
    assert (team.org_id, team.office_id) == (brokerage.org.pk, brokerage.boulder.pk)
    assert Event.objects.get(kind="team.created").subject_id == team.pk
    assert AuditEntry.objects.filter(org=brokerage.org, action="team.create").exists()


def test_team_create_with_another_orgs_office_is_refused(brokerage, other):
    with pytest.raises(ValidationFailed) as exc:
        services.team_create(actor=brokerage.broker, name="Canyon", office_id=other.denver.pk)
    assert exc.value.fields == {"office_id": ["not found"]}
    assert not Team.objects.filter(name="Canyon").exists()


def test_team_create_refuses_a_duplicate_name(brokerage):
    with pytest.raises(Conflict):
        services.team_create(actor=brokerage.broker, name="summit")


def test_team_member_add_sets_and_updates_the_lead_flag(brokerage):
    services.team_member_add(
        actor=brokerage.broker, team_id=brokerage.summit.pk, membership_id=brokerage.ben.pk
    )
    row = services.team_member_add(
        actor=brokerage.broker,
        team_id=brokerage.summit.pk,
        membership_id=brokerage.ben.pk,
        is_lead=True,
    )
    assert row.is_lead
    assert TeamMember.objects.filter(membership=brokerage.ben).count() == 1
    assert Event.objects.filter(org=brokerage.org, kind="team.member_set").count() == 2


def test_team_member_remove_takes_the_member_off_with_audit_and_event(brokerage):
    services.team_member_remove(
        actor=brokerage.broker, team_id=brokerage.summit.pk, membership_id=brokerage.buyer.pk
    )
    assert not TeamMember.objects.filter(membership=brokerage.buyer).exists()
    assert AuditEntry.objects.filter(org=brokerage.org, action="team.member_remove").exists()
    assert Event.objects.filter(org=brokerage.org, kind="team.member_removed").exists()


def test_team_member_remove_of_someone_not_on_the_team_is_not_found(brokerage):
    with pytest.raises(NotFound):
        services.team_member_remove(
            actor=brokerage.broker, team_id=brokerage.summit.pk, membership_id=brokerage.ben.pk
        )


# member_update


def test_member_update_changes_roles_title_and_office_and_audits_them(brokerage):
    # The broker: an office manager may not move a member between offices (powers follow scope).
    services.member_update(
        actor=brokerage.broker,
        membership_id=brokerage.ben.pk,
        roles=[Role.AGENT, Role.LEAD_AGENT],
        title="Senior agent",
        office_id=brokerage.boulder.pk,
    )
    ben = fresh(brokerage.ben)
    assert roles_of(ben) == [Role.AGENT, Role.LEAD_AGENT]
    assert (ben.title, ben.office_id) == ("Senior agent", brokerage.boulder.pk)
    audit = AuditEntry.objects.get(action="member.update")
    assert audit.changes["roles"] == [["agent"], ["agent", "lead_agent"]]
    assert audit.changes["office_id"] == [brokerage.denver.pk, brokerage.boulder.pk]
    event = Event.objects.get(kind="member.updated")
    assert event.payload == {"fields": ["office_id", "roles", "title"]}


def test_member_update_accepts_an_office_id_given_as_text(brokerage):
    services.member_update(
        actor=brokerage.broker, membership_id=brokerage.ben.pk, office_id=str(brokerage.denver.pk)
    )
    assert "office_id" not in AuditEntry.objects.get(action="member.update").changes


def test_member_update_rejects_an_unknown_role_and_keeps_the_old_ones(brokerage):
    with pytest.raises(ValidationFailed) as exc:
        services.member_update(
            actor=brokerage.broker, membership_id=brokerage.ben.pk, roles=["agent", "king"]
        )
    assert exc.value.fields == {"roles": ["'king' is not a role"]}
    assert roles_of(brokerage.ben) == [Role.AGENT]


def test_member_update_rejects_a_too_long_title(brokerage):
    with pytest.raises(ValidationFailed) as exc:
        services.member_update(
            actor=brokerage.broker, membership_id=brokerage.ben.pk, title="t" * 121
        )
    assert list(exc.value.fields) == ["title"]


def test_last_active_broker_owner_cannot_be_demoted(brokerage):
    with pytest.raises(Conflict):
        services.member_update(
            actor=brokerage.broker, membership_id=brokerage.broker.pk, roles=[Role.AGENT]
        )
    assert Role.BROKER_OWNER in roles_of(brokerage.broker)


def test_last_active_broker_owner_cannot_be_deactivated(brokerage):
    with pytest.raises(Conflict):
        services.member_update(
            actor=brokerage.broker, membership_id=brokerage.broker.pk, is_active=False
        )
    with pytest.raises(Conflict):
        services.member_update(
            actor=brokerage.broker, membership_id=brokerage.broker.pk, roles=[], is_active=False
        )
    assert fresh(brokerage.broker).is_active


def test_an_inactive_second_owner_does_not_count_as_a_backup(brokerage):
    MembershipFactory(org=brokerage.org, roles=[Role.BROKER_OWNER], is_active=False)
    with pytest.raises(Conflict):
        services.member_update(
            actor=brokerage.broker, membership_id=brokerage.broker.pk, roles=[Role.AGENT]
        )


def test_a_broker_owner_can_step_down_when_another_active_owner_remains(brokerage):
    MembershipFactory(org=brokerage.org, roles=[Role.BROKER_OWNER])
    services.member_update(
        actor=brokerage.broker, membership_id=brokerage.broker.pk, roles=[Role.AGENT]
    )
    assert roles_of(brokerage.broker) == [Role.AGENT]


@pytest.mark.parametrize("role", [Role.BROKER_OWNER, Role.COMPLIANCE_OFFICER, Role.SYSTEMS_ADMIN])
def test_office_manager_cannot_grant_owner_granted_roles(brokerage, role):
    # maria is in the manager's office (ben, in the other one, is out of reach: NotFound).
    for target in (brokerage.manager, brokerage.maria):
        with pytest.raises(PermissionDenied):
            services.member_update(
                actor=brokerage.manager, membership_id=target.pk, roles=[Role.AGENT, role]
            )
    assert roles_of(brokerage.manager) == [Role.AGENT, Role.OFFICE_MANAGER]
    assert roles_of(brokerage.maria) == [Role.AGENT]


def test_office_manager_cannot_demote_or_deactivate_a_broker_owner(brokerage):
    MembershipFactory(org=brokerage.org, roles=[Role.BROKER_OWNER])
    # A broker in another office is out of the manager's reach: it answers like a missing one.
    with pytest.raises(NotFound):
        services.member_update(
            actor=brokerage.manager, membership_id=brokerage.broker.pk, is_active=False
        )
    # In the manager's own office the broker is visible but still the broker's own call.
    brokerage.broker.office = brokerage.boulder
    brokerage.broker.save()
    with pytest.raises(PermissionDenied):
        services.member_update(
            actor=brokerage.manager, membership_id=brokerage.broker.pk, roles=[Role.AGENT]
        )
    with pytest.raises(PermissionDenied):
        services.member_update(
            actor=brokerage.manager, membership_id=brokerage.broker.pk, is_active=False
        )
    broker = fresh(brokerage.broker)
    assert broker.is_active and Role.BROKER_OWNER in roles_of(broker)


def test_office_manager_may_deactivate_an_agent_of_their_office_only(brokerage):
    services.member_update(
        actor=brokerage.manager, membership_id=brokerage.maria.pk, is_active=False
    )
    assert not fresh(brokerage.maria).is_active
    with pytest.raises(NotFound):
        services.member_update(
            actor=brokerage.manager, membership_id=brokerage.ben.pk, is_active=False
        )
    assert fresh(brokerage.ben).is_active


def test_agent_cannot_update_members(brokerage):
    with pytest.raises(PermissionDenied):
        services.member_update(
            actor=brokerage.ben, membership_id=brokerage.ben.pk, roles=[Role.OFFICE_MANAGER]
        )


# invitations


def test_invitation_create_emails_the_link_only_after_commit(
    brokerage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, token = invite(brokerage.broker, accept_url_base="https://crm.test")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.com"]
    assert "Front Range" in message.subject
    assert f"https://crm.test/invitations/{token}/" in message.body
    assert token not in invitation.token_hash
    assert AuditEntry.objects.get(action="invitation.create").org_id == brokerage.org.pk
    assert Event.objects.get(kind="invitation.created").org_id == brokerage.org.pk


def test_invitation_rolled_back_sends_no_mail(brokerage, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invite(brokerage.broker)
        raise RuntimeError("caller fails after inviting")
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_invitation_defaults_to_the_agent_role_and_normalises_the_email(brokerage):
    invitation, _ = invite(brokerage.broker, email=" New@Example.COM ", roles=[])
    assert (invitation.email, invitation.roles) == ("new@example.com", ["agent"])


def test_invitation_for_an_existing_member_is_a_conflict(brokerage):
    with pytest.raises(Conflict):
        invite(brokerage.broker, email=brokerage.ben.user.email.upper())


@pytest.mark.parametrize("field", ["office_id", "team_id"])
def test_invitation_with_another_orgs_office_or_team_is_refused(brokerage, other, field):
    foreign = {"office_id": other.denver.pk, "team_id": other.summit.pk}[field]
    with pytest.raises(ValidationFailed) as exc:
        invite(brokerage.broker, **{field: foreign})
    assert exc.value.fields == {field: ["not found"]}
    assert not Invitation.objects.exists()


def test_office_manager_cannot_invite_a_broker_owner(brokerage):
    with pytest.raises(PermissionDenied):
        invite(brokerage.manager, roles=[Role.BROKER_OWNER])
    invite(brokerage.manager, roles=[Role.AGENT, Role.BUYER_SPECIALIST])


def test_invitation_is_refused_to_an_agent(brokerage):
    with pytest.raises(PermissionDenied):
        invite(brokerage.ben)


def test_invitation_accept_creates_user_seat_roles_and_team(brokerage):
    invitation, token = invite(
        brokerage.manager,
        roles=[Role.AGENT, Role.BUYER_SPECIALIST],
        office_id=brokerage.boulder.pk,
        team_id=brokerage.flatirons.pk,
    )
    member = services.invitation_accept(
        token=token, password=STRONG, first_name="Nia", last_name="Ford"
    )
    assert member.org_id == brokerage.org.pk
    assert member.user.email == "new@example.com"
    assert member.user.check_password(STRONG)
    assert member.user.get_full_name() == "Nia Ford"
    assert member.office_id == brokerage.boulder.pk
    assert roles_of(member) == [Role.AGENT, Role.BUYER_SPECIALIST]
    assert TeamMember.objects.get(membership=member).team_id == brokerage.flatirons.pk
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert AuditEntry.objects.get(action="invitation.accept").org_id == brokerage.org.pk
    joined = Event.objects.get(kind="member.joined")
    assert (joined.org_id, joined.subject_id) == (brokerage.org.pk, member.pk)


def test_invitation_token_works_only_once(brokerage):
    _, token = invite(brokerage.broker)
    services.invitation_accept(token=token, password=STRONG)
    with pytest.raises(NotFound):
        services.invitation_accept(token=token, password=STRONG)
    assert Membership.objects.filter(user__email="new@example.com").count() == 1


def test_expired_invitation_is_refused(brokerage):
    invitation, token = invite(brokerage.broker)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    assert services.invitation_find(token=token) is None
    with pytest.raises(NotFound):
        services.invitation_accept(token=token, password=STRONG)
    assert not User.objects.filter(email="new@example.com").exists()


def test_revoked_invitation_is_refused_and_the_revoke_is_recorded(brokerage):
    # Into the manager's office: an office manager revokes invitations of their office only.
    invitation, token = invite(brokerage.broker, office_id=brokerage.boulder.pk)
    services.invitation_revoke(actor=brokerage.manager, invitation_id=invitation.pk)
    with pytest.raises(NotFound):
        services.invitation_accept(token=token, password=STRONG)
    assert AuditEntry.objects.filter(org=brokerage.org, action="invitation.revoke").exists()
    assert Event.objects.filter(org=brokerage.org, kind="invitation.revoked").exists()


def test_unknown_token_is_refused():
    with pytest.raises(NotFound):
        services.invitation_accept(token="not-a-token", password=STRONG)


def test_invitation_accept_with_a_weak_password_creates_nothing(brokerage):
    _, token = invite(brokerage.broker)
    with pytest.raises(ValidationFailed) as exc:
        services.invitation_accept(token=token, password="123")
    assert "password" in exc.value.fields
    assert not User.objects.filter(email="new@example.com").exists()
    assert services.invitation_find(token=token) is not None


def test_existing_user_joins_a_second_org_only_with_their_own_password(brokerage, other):
    outsider = other.ben.user
    _, token = invite(brokerage.broker, email=outsider.email)
    with pytest.raises(ValidationFailed) as exc:
        services.invitation_accept(token=token, password=STRONG)
    assert list(exc.value.fields) == ["password"]
    member = services.invitation_accept(token=token, password=PASSWORD)
    assert member.user_id == outsider.pk
    assert member.org_id == brokerage.org.pk
    outsider.refresh_from_db()
    assert outsider.check_password(PASSWORD)


def test_member_add_gives_an_existing_user_a_seat(brokerage):
    user = UserFactory()
    member = services.member_add(org=brokerage.org, user=user, roles=[Role.AGENT])
    assert roles_of(member) == [Role.AGENT]
    assert Event.objects.get(kind="member.joined").org_id == brokerage.org.pk


# Tenant isolation: an actor of org A handing in org B's ids.


def cross_org_calls(a, b):
    """(name, call) pairs where A's broker targets B's rows."""
    b_closure = Closure.objects.create(org=b.org, closed_on=date(2026, 7, 3), name="B")
    b_invitation, _ = invite(b.broker, email="b-invitee@example.com")
    return [
        (
            "closure_remove",
            lambda: services.closure_remove(actor=a.broker, closure_id=b_closure.pk),
        ),
        (
            "team_create",
            lambda: services.team_create(actor=a.broker, name="T", office_id=b.denver.pk),
        ),
        (
            "team_member_add(team)",
            lambda: services.team_member_add(
                actor=a.broker, team_id=b.summit.pk, membership_id=a.ben.pk
            ),
        ),
        (
            "team_member_add(member)",
            lambda: services.team_member_add(
                actor=a.broker, team_id=a.summit.pk, membership_id=b.ben.pk
            ),
        ),
        (
            "team_member_remove",
            lambda: services.team_member_remove(
                actor=a.broker, team_id=b.summit.pk, membership_id=b.buyer.pk
            ),
        ),
        (
            "member_update",
            lambda: services.member_update(
                actor=a.broker, membership_id=b.ben.pk, roles=[Role.BROKER_OWNER]
            ),
        ),
        (
            "member_update(deactivate)",
            lambda: services.member_update(
                actor=a.broker, membership_id=b.broker.pk, is_active=False
            ),
        ),
        (
            "member_update(office)",
            lambda: services.member_update(
                actor=a.broker, membership_id=a.ben.pk, office_id=b.denver.pk
            ),
        ),
        (
            "invitation_create(office)",
            lambda: invite(a.broker, office_id=b.denver.pk),
        ),
        (
            "invitation_create(team)",
            lambda: invite(a.broker, team_id=b.summit.pk),
        ),
        (
            "invitation_revoke",
            lambda: services.invitation_revoke(actor=a.broker, invitation_id=b_invitation.pk),
        ),
    ]


def snapshot(org) -> dict:
    return {
        "memberships": list(
            Membership.objects.filter(org=org).values("pk", "office_id", "is_active", "title")
        ),
        "roles": sorted(
            Membership.objects.filter(org=org).values_list("pk", "role_assignments__role")
        ),
        "teams": sorted(TeamMember.objects.filter(org=org).values_list("team", "membership")),
        "closures": list(Closure.objects.filter(org=org).values()),
        "invitations": list(Invitation.objects.filter(org=org).values()),
        "audit": AuditEntry.objects.filter(org=org).count(),
        "events": Event.objects.filter(org=org).count(),
    }


def test_an_actor_of_one_org_can_never_act_on_another_orgs_rows(brokerage, other):
    calls = cross_org_calls(brokerage, other)
    before = snapshot(other.org)
    for name, call in calls:
        with pytest.raises((NotFound, ValidationFailed)):
            call()
        assert snapshot(other.org) == before, name
    assert not AuditEntry.objects.filter(org=brokerage.org).exists()


# Every write leaves one audit entry and one event in the actor's org.

WRITES = [
    (
        "organization.update",
        "organization.updated",
        lambda b: services.organization_update(actor=b.broker, name="Renamed"),
    ),
    (
        "business_hours.set",
        "business_hours.changed",
        lambda b: services.business_hours_set(actor=b.broker, week={}),
    ),
    (
        "closure.add",
        "closure.added",
        lambda b: services.closure_add(actor=b.broker, closed_on=date(2026, 8, 1), name="Picnic"),
    ),
    (
        "office.create",
        "office.created",
        lambda b: services.office_create(actor=b.broker, name="Golden"),
    ),
    ("team.create", "team.created", lambda b: services.team_create(actor=b.broker, name="Mesa")),
    (
        "team.member_set",
        "team.member_set",
        lambda b: services.team_member_add(
            actor=b.broker, team_id=b.summit.pk, membership_id=b.ben.pk
        ),
    ),
    (
        "team.member_remove",
        "team.member_removed",
        lambda b: services.team_member_remove(
            actor=b.broker, team_id=b.summit.pk, membership_id=b.buyer.pk
        ),
    ),
    (
        "member.update",
        "member.updated",
        lambda b: services.member_update(actor=b.broker, membership_id=b.ben.pk, title="Rookie"),
    ),
    ("invitation.create", "invitation.created", lambda b: invite(b.broker)),
    (
        "member.add",
        "member.joined",
        lambda b: services.member_add(
            org=b.org, user=UserFactory(), roles=[], actor_id=b.broker.user_id
        ),
    ),
]


@pytest.mark.parametrize(("action", "kind", "write"), WRITES, ids=[w[0] for w in WRITES])
def test_every_write_appends_one_audit_entry_and_one_event_in_the_actors_org(
    brokerage, other, action, kind, write
):
    write(brokerage)
    audit = AuditEntry.objects.get()
    event = Event.objects.get()
    assert (audit.action, audit.org_id, audit.actor_id) == (
        action,
        brokerage.org.pk,
        brokerage.broker.user_id,
    )
    assert (event.kind, event.org_id, event.actor_id) == (
        kind,
        brokerage.org.pk,
        brokerage.broker.user_id,
    )
