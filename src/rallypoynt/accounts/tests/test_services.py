import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from rallypoynt.accounts.models import APIToken, LoginAttempt
from rallypoynt.accounts.services import (
    TOKEN_PREFIX,
    api_token_create,
    api_token_revoke,
    api_token_touch,
    login_attempt_record,
    login_backoff,
    login_is_throttled,
    login_retry_after,
    user_create,
    user_update_profile,
)
from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

STRONG = "plum-harbor-lantern-42"


def fail(email, ip="10.0.0.1", times=1):
    for _ in range(times):
        login_attempt_record(email=email, ip_address=ip, succeeded=False)


# users


def test_user_create_normalises_the_address_and_hashes_the_password():
    user = user_create(email="  New.Agent@Example.COM ", password=STRONG, first_name=" Ann ")
    assert user.email == "new.agent@example.com"
    assert user.first_name == "Ann"
    assert user.check_password(STRONG)
    assert STRONG not in user.password


def test_user_create_refuses_an_address_taken_in_another_case():
    user_create(email="ann@example.com", password=STRONG)
    with pytest.raises(Conflict) as exc:
        user_create(email="ANN@example.com", password=STRONG)
    assert exc.value.fields == {"email": ["taken"]}


def test_user_create_refuses_invalid_addresses_naming_the_field():
    with pytest.raises(ValidationFailed) as exc:
        user_create(email="not-an-address", password=STRONG)
    assert list(exc.value.fields) == ["email"]


def test_user_create_refuses_weak_passwords():
    with pytest.raises(ValidationFailed) as exc:
        user_create(email="ann@example.com", password="12345678")
    assert exc.value.fields["password"]


def test_user_update_profile_strips_every_field():
    user = UserFactory()
    user_update_profile(user=user, first_name=" Bo ", last_name=" Li ", phone=" 555 ")
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.phone) == ("Bo", "Li", "555")


# login throttling


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def test_back_off_doubles_from_one_second_and_stops_at_the_cap(settings):
    settings.LOGIN_BACKOFF_BASE_SECONDS = 1
    settings.LOGIN_BACKOFF_MAX_MINUTES = 15
    waits = [login_backoff(n).total_seconds() for n in range(13)]
    assert waits == [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert login_backoff(10_000) == timedelta(minutes=15)


def test_an_address_waits_after_each_failure_in_any_case(clock):
    fail("ann@example.com")
    assert login_retry_after(email="Ann@Example.com", ip_address="10.9.9.9") == 1
    assert login_is_throttled(email="ann@example.com", ip_address=None)
    assert not login_is_throttled(email="bob@example.com", ip_address="10.9.9.9")
    clock.shift(timedelta(seconds=1))
    assert not login_is_throttled(email="ann@example.com", ip_address="10.9.9.9")
    fail("ANN@example.com", times=3)
    assert login_retry_after(email="ann@example.com", ip_address=None) == 8


def test_success_clears_that_addresses_failures_only():
    fail("ann@example.com", times=3)
    fail("bob@example.com", times=3)
    login_attempt_record(email="Ann@example.com", ip_address="10.0.0.1", succeeded=True)
    assert not LoginAttempt.objects.filter(email="ann@example.com", succeeded=False).exists()
    assert LoginAttempt.objects.filter(email="bob@example.com", succeeded=False).count() == 3
    assert not login_is_throttled(email="ann@example.com", ip_address="10.0.0.1")


def test_one_ip_is_throttled_after_four_times_the_limit_across_addresses(settings, clock):
    settings.LOGIN_FAILURE_LIMIT = 2
    for n in range(7):
        fail(f"guess{n}@example.com", ip="10.6.6.6")
    assert not login_is_throttled(email="fresh@example.com", ip_address="10.6.6.6")
    clock.shift(timedelta(minutes=5))
    fail("guess7@example.com", ip="10.6.6.6")
    # Until the oldest failure leaves the window (15 min after it was made).
    assert login_retry_after(email="fresh@example.com", ip_address="10.6.6.6") == 10 * 60
    assert not login_is_throttled(email="fresh@example.com", ip_address="10.7.7.7")
    assert not login_is_throttled(email="fresh@example.com", ip_address=None)
    clock.shift(timedelta(minutes=10))
    assert not login_is_throttled(email="fresh@example.com", ip_address="10.6.6.6")


def test_failures_older_than_a_day_no_longer_lengthen_the_wait(clock):
    fail("ann@example.com", times=20)
    clock.shift(timedelta(hours=23))
    fail("ann@example.com")
    assert login_retry_after(email="ann@example.com", ip_address=None) == 15 * 60
    clock.shift(timedelta(hours=1, seconds=1))
    fail("ann@example.com")
    assert login_retry_after(email="ann@example.com", ip_address=None) == 2


def test_an_ip_the_owner_logged_in_from_counts_only_its_own_failures(clock):
    login_attempt_record(email="ann@example.com", ip_address="10.1.1.1", succeeded=True)
    fail("ann@example.com", ip="10.6.6.6", times=12)
    assert login_retry_after(email="ann@example.com", ip_address="10.6.6.6") == 15 * 60
    assert login_is_throttled(email="ann@example.com", ip_address="10.2.2.2")
    assert not login_is_throttled(email="ann@example.com", ip_address="10.1.1.1")
    fail("ann@example.com", ip="10.1.1.1", times=2)
    assert login_retry_after(email="ann@example.com", ip_address="10.1.1.1") == 2
    # Known for 30 days after the last success from there.
    clock.shift(timedelta(days=30, seconds=1))
    fail("ann@example.com", ip="10.6.6.6", times=12)
    assert login_is_throttled(email="ann@example.com", ip_address="10.1.1.1")


# API tokens


def test_token_create_returns_the_secret_once_and_stores_only_its_sha256():
    member = MembershipFactory()
    token, secret = api_token_create(actor=member, name="  Zillow leads ")
    assert secret.startswith(TOKEN_PREFIX) and len(secret) > 40
    token.refresh_from_db()
    assert token.name == "Zillow leads"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:10]
    stored = " ".join(str(v) for v in APIToken.objects.filter(pk=token.pk).values().get().values())
    assert secret not in stored
    assert (token.org_id, token.user_id) == (member.org_id, member.user_id)


def test_token_create_records_audit_entry_and_event():
    member = MembershipFactory()
    token, _ = api_token_create(actor=member, name="Zapier")
    assert AuditEntry.objects.filter(
        org=member.org, action="api_token.create", object_id=token.pk
    ).exists()
    assert Event.objects.filter(
        org=member.org, kind="api_token.created", subject_id=token.pk
    ).exists()


def test_token_create_requires_a_name():
    with pytest.raises(ValidationFailed) as exc:
        api_token_create(actor=MembershipFactory(), name="   ")
    assert list(exc.value.fields) == ["name"]
    assert not APIToken.objects.exists()


def test_token_secrets_are_unique():
    member = MembershipFactory()
    secrets = {api_token_create(actor=member, name="t")[1] for _ in range(5)}
    assert len(secrets) == 5


def test_revoke_marks_the_token_and_audits_it():
    member = MembershipFactory()
    token, _ = api_token_create(actor=member, name="t")
    api_token_revoke(actor=member, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_active
    assert AuditEntry.objects.filter(action="api_token.revoke", object_id=token.pk).exists()


def test_revoking_twice_is_not_found():
    member = MembershipFactory()
    token, _ = api_token_create(actor=member, name="t")
    api_token_revoke(actor=member, token_id=token.pk)
    with pytest.raises(NotFound):
        api_token_revoke(actor=member, token_id=token.pk)


def test_revoking_another_users_token_is_not_found_and_changes_nothing():
    owner = MembershipFactory()
    colleague = MembershipFactory(org=owner.org)
    token, _ = api_token_create(actor=owner, name="t")
    with pytest.raises(NotFound):
        api_token_revoke(actor=colleague, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_own_token_from_another_org_seat_is_not_found():
    seat_a = MembershipFactory()
    seat_b = MembershipFactory(user=seat_a.user)
    token, _ = api_token_create(actor=seat_a, name="t")
    with pytest.raises(NotFound):
        api_token_revoke(actor=seat_b, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_touch_writes_last_used_at_most_once_a_minute():
    token, _ = api_token_create(actor=MembershipFactory(), name="t")
    api_token_touch(token_id=token.pk, last_used_at=token.last_used_at)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api_token_touch(token_id=token.pk, last_used_at=token.last_used_at)
    token.refresh_from_db()
    assert token.last_used_at == first
    token.last_used_at = first - timedelta(minutes=2)
    api_token_touch(token_id=token.pk, last_used_at=token.last_used_at)
    token.refresh_from_db()
    assert token.last_used_at > first
