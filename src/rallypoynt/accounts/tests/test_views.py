import re
from datetime import timedelta
from ipaddress import ip_network
from urllib.parse import urlparse

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from rallypoynt.accounts.models import APIToken, LoginAttempt
from rallypoynt.accounts.services import api_token_create, token_hash
from rallypoynt.accounts.tests.factories import PASSWORD, UserFactory
from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.orgs.middleware import SESSION_ORG_KEY
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
THROTTLED = "Too many failed attempts"
NEW_PASSWORD = "plum-harbor-lantern-42"


def login(client, email, password, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def as_member(member, client=None):
    client = client or Client()
    client.force_login(member.user)
    return client


# login


def test_login_page_accepts_the_address_in_any_case():
    UserFactory(email="dana@example.com")
    client = Client()
    response = login(client, "DANA@Example.com", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_inactive_user_cannot_log_in_through_the_page():
    UserFactory(email="gone@example.com", is_active=False)
    client = Client()
    response = login(client, "gone@example.com", PASSWORD)
    assert response.status_code == 200 and not logged_in(client)
    assert "do not match an active account" in response.text


@pytest.fixture
def clock(time_machine):
    """A frozen clock the test moves by hand."""
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def test_during_the_back_off_even_the_right_password_is_refused(clock):
    UserFactory(email="dana@example.com")
    client = Client()
    for wait in (1, 2):  # each failure doubles the wait: 1 s, 2 s, then 4 s
        assert THROTTLED not in login(client, "dana@example.com", "wrong").text
        assert THROTTLED in login(client, "dana@example.com", "wrong").text
        clock.shift(timedelta(seconds=wait))
    assert THROTTLED not in login(client, "dana@example.com", "wrong").text
    clock.shift(timedelta(seconds=3))
    response = login(client, "dana@example.com", PASSWORD)
    assert response.status_code == 200 and THROTTLED in response.text
    assert not logged_in(client)
    # Another address from the same IP is not affected.
    UserFactory(email="eli@example.com")
    assert login(Client(), "eli@example.com", PASSWORD).status_code == 302
    # Once the back-off has passed, the right password works.
    clock.shift(timedelta(seconds=1))
    assert login(client, "dana@example.com", PASSWORD).status_code == 302 and logged_in(client)


def test_a_successful_login_clears_the_failures(clock):
    UserFactory(email="dana@example.com")
    for _ in range(2):
        login(Client(), "dana@example.com", "wrong")
        clock.shift(timedelta(seconds=2))
    assert login(Client(), "dana@example.com", PASSWORD).status_code == 302
    assert not LoginAttempt.objects.filter(succeeded=False).exists()
    login(Client(), "dana@example.com", "wrong")
    clock.shift(timedelta(seconds=1))  # one failure again: a wait of one second, not two
    client = Client()
    assert login(client, "dana@example.com", PASSWORD).status_code == 302 and logged_in(client)


def test_a_blank_password_does_not_reset_the_failure_count(clock):
    UserFactory(email="dana@example.com")
    for _ in range(2):
        login(Client(), "dana@example.com", "wrong")
        clock.shift(timedelta(seconds=2))
    login(Client(), "dana@example.com", "")  # invalid form: must not count as a success
    login(Client(), "dana@example.com", "wrong")
    assert THROTTLED in login(Client(), "dana@example.com", PASSWORD).text
    assert not LoginAttempt.objects.filter(succeeded=True).exists()


def test_failures_from_one_ip_across_addresses_throttle_that_ip(settings, clock):
    settings.LOGIN_FAILURE_LIMIT = 2
    UserFactory(email="dana@example.com")
    for n in range(8):  # 4 x limit, one failure per address
        login(Client(), f"guess{n}@example.com", "wrong", REMOTE_ADDR="10.6.6.6")
    client = Client()
    response = login(client, "dana@example.com", PASSWORD, REMOTE_ADDR="10.6.6.6")
    assert THROTTLED in response.text and not logged_in(client)
    assert login(client, "dana@example.com", PASSWORD, REMOTE_ADDR="10.7.7.7").status_code == 302
    clock.shift(timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES, seconds=1))
    assert login(Client(), "dana@example.com", PASSWORD, REMOTE_ADDR="10.6.6.6").status_code == 302


def test_a_stranger_hammering_an_address_holds_it_at_most_the_cap(settings, clock):
    UserFactory(email="dana@example.com")
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(30):
        login(stranger, "dana@example.com", "wrong")
        assert THROTTLED in login(stranger, "dana@example.com", "wrong").text
        clock.shift(timedelta(minutes=20))
    # Refused tries are not failures: they check no password and lengthen nothing.
    assert LoginAttempt.objects.filter(succeeded=False).count() == 30
    login(stranger, "dana@example.com", "wrong")
    clock.shift(timedelta(minutes=settings.LOGIN_BACKOFF_MAX_MINUTES) - timedelta(seconds=1))
    owner = Client(REMOTE_ADDR="198.51.100.7")
    assert THROTTLED in login(owner, "dana@example.com", PASSWORD).text
    clock.shift(timedelta(seconds=1))
    assert login(owner, "dana@example.com", PASSWORD).status_code == 302 and logged_in(owner)


def test_the_owners_usual_ip_is_held_only_by_its_own_failures(clock):
    UserFactory(email="dana@example.com")
    assert (
        login(Client(), "dana@example.com", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    )
    clock.shift(timedelta(days=1))
    for _ in range(12):  # a stranger elsewhere runs the address's back-off up to the cap
        login(Client(), "dana@example.com", "wrong", REMOTE_ADDR="203.0.113.9")
        clock.shift(timedelta(minutes=16))
    login(Client(), "dana@example.com", "wrong", REMOTE_ADDR="203.0.113.9")
    assert THROTTLED in login(Client(), "dana@example.com", PASSWORD, REMOTE_ADDR="192.0.2.1").text
    owner = Client()
    response = login(owner, "dana@example.com", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302 and logged_in(owner)


def test_login_throttling_sees_the_client_behind_a_trusted_proxy(settings, clock):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    for n in range(8):
        login(
            Client(),
            f"guess{n}@example.com",
            "wrong",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    assert set(LoginAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    UserFactory(email="dana@example.com")
    client = Client()
    behind_proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    response = login(client, "dana@example.com", PASSWORD, **behind_proxy)
    assert response.status_code == 302 and logged_in(client)


# password reset through a real SMTP server


def test_password_reset_by_email_over_smtp(smtp_inbox):
    user = UserFactory(email="dana@example.com")
    client = Client()
    response = client.post("/accounts/password-reset/", {"email": "Dana@Example.com"}, follow=True)
    assert "Check your e-mail" in response.text

    assert len(smtp_inbox.envelopes) == 1
    assert smtp_inbox.envelopes[0].rcpt_tos == ["dana@example.com"]
    message = smtp_inbox.messages[0]
    assert message["Subject"] == "Reset your RallyPoynt OS password"
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.get_content()).group(0)

    form_page = client.get(urlparse(link).path, follow=True)
    assert "Choose a new password" in form_page.text
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Password set" in done.text

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    fresh = Client()
    assert login(fresh, "dana@example.com", NEW_PASSWORD).status_code == 302 and logged_in(fresh)
    assert login(Client(), "dana@example.com", PASSWORD).status_code == 200
    # The link works once.
    assert "Link expired" in Client().get(urlparse(link).path, follow=True).text


def test_password_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(smtp_inbox):
    UserFactory(email="dana@example.com", is_active=False)
    for address in ("nobody@example.com", "dana@example.com"):
        response = Client().post("/accounts/password-reset/", {"email": address})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password-reset/sent/"
    assert smtp_inbox.envelopes == []


# logout and anonymous access


def test_logout_is_post_only_and_ends_the_session():
    client = as_member(MembershipFactory())
    assert client.get("/accounts/logout/").status_code == 405
    assert logged_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not logged_in(client)
    assert client.get("/accounts/profile/").status_code == 302


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/accounts/profile/"),
        ("get", "/accounts/tokens/"),
        ("get", "/accounts/password/"),
        ("post", "/accounts/tokens/1/revoke/"),
    ],
)
def test_pages_send_anonymous_visitors_to_login(method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={path}"


def test_logged_in_user_visiting_login_goes_home():
    response = as_member(MembershipFactory()).get(LOGIN)
    assert response.status_code == 302 and response["Location"] == "/"


def test_profile_page_saves_names():
    member = MembershipFactory()
    client = as_member(member)
    response = client.post(
        "/accounts/profile/", {"first_name": " Ann ", "last_name": "Lee", "phone": ""}
    )
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert (member.user.first_name, member.user.last_name) == ("Ann", "Lee")


# API tokens page


def new_secret(response) -> str | None:
    found = re.search(r'data-testid="new-token">([^<]+)<', response.text)
    return found.group(1) if found else None


def test_token_page_shows_the_secret_once_and_stores_only_its_hash():
    member = MembershipFactory()
    client = as_member(member)
    response = client.post("/accounts/tokens/", {"name": "Zillow leads"})
    assert response.status_code == 200
    secret = new_secret(response)
    assert secret and secret.startswith("rp_")
    token = APIToken.objects.get(user=member.user)
    assert token.token_hash == token_hash(secret)
    assert secret not in str(list(APIToken.objects.values()))

    later = client.get("/accounts/tokens/")
    assert "Zillow leads" in later.text and secret not in later.text
    assert new_secret(later) is None
    assert ApiClient(token=secret).get("/api/v1/me").status_code == 200


def test_token_page_requires_a_name():
    client = as_member(MembershipFactory())
    response = client.post("/accounts/tokens/", {"name": ""})
    assert response.status_code == 200 and new_secret(response) is None
    assert not APIToken.objects.exists()


def test_token_page_lists_only_own_tokens_in_the_current_org():
    seat_a = MembershipFactory()
    seat_b = MembershipFactory(user=seat_a.user)
    api_token_create(actor=seat_a, name="mine-in-a")
    api_token_create(actor=seat_b, name="mine-in-b")
    api_token_create(actor=MembershipFactory(org=seat_a.org), name="colleagues")
    client = as_member(seat_a)
    session = client.session
    session[SESSION_ORG_KEY] = seat_a.org_id
    session.save()
    page = client.get("/accounts/tokens/").text
    assert "mine-in-a" in page
    assert "mine-in-b" not in page and "colleagues" not in page

    session = client.session
    session[SESSION_ORG_KEY] = seat_b.org_id
    session.save()
    page = client.get("/accounts/tokens/").text
    assert "mine-in-b" in page and "mine-in-a" not in page


def test_token_page_revoke_makes_the_token_fail():
    member = MembershipFactory()
    token, secret = api_token_create(actor=member, name="t")
    client = as_member(member)
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/accounts/tokens/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(token=secret).get("/api/v1/me").status_code == 401


def test_token_page_cannot_revoke_someone_elses_token():
    owner = MembershipFactory()
    token, secret = api_token_create(actor=owner, name="t")
    client = as_member(MembershipFactory(org=owner.org))
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiClient(token=secret).get("/api/v1/me").status_code == 200


def test_token_page_needs_a_seat_in_an_org():
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/accounts/tokens/").status_code == 403
