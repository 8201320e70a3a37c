import json
from types import SimpleNamespace

import pytest
from django.test import Client

from rallypoynt.accounts.services import api_token_create, api_token_revoke
from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.api import auth
from rallypoynt.api.auth import RateLimited, rate_limit_check
from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

WINDOW_START = 1_800_000_000 - 1_800_000_000 % 60


@pytest.fixture
def clock(monkeypatch):
    """Freeze the rate limiter's clock 15 s into a minute window."""
    now = SimpleNamespace(value=WINDOW_START + 15)
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: now.value))
    return now


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def post_json(client, path, data, **extra):
    return client.post(path, json.dumps(data), content_type="application/json", **extra)


# rate limit


def test_fourth_call_in_a_window_is_429_with_retry_after(settings, clock):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    api = ApiClient(MembershipFactory())
    assert [api.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/v1/me")
    assert response.status_code == 429
    assert response["Retry-After"] == "45"
    assert response.json() == {
        "error": {
            "code": "rate_limited",
            "message": "Too many requests for this token.",
            "fields": {},
        }
    }


def test_rate_limit_is_per_token_and_resets_with_the_next_window(settings, clock):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    member = MembershipFactory()
    busy, other = ApiClient(member), ApiClient(member)
    for _ in range(4):
        busy.get("/api/v1/me")
    assert busy.get("/api/v1/me").status_code == 429
    assert other.get("/api/v1/me").status_code == 200
    clock.value += 45
    assert busy.get("/api/v1/me").status_code == 200


def test_rate_limit_check_counts_within_a_window(clock):
    for _ in range(2):
        rate_limit_check("unit", limit=2)
    with pytest.raises(RateLimited) as exc:
        rate_limit_check("unit", limit=2)
    assert exc.value.retry_after == 45
    clock.value += 45
    rate_limit_check("unit", limit=2)


def test_session_requests_are_not_rate_limited_per_token(settings, clock):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    client = Client()
    client.force_login(MembershipFactory().user)
    assert {client.get("/api/v1/me").status_code for _ in range(3)} == {200}


# bearer tokens


@pytest.mark.parametrize("header", ["Bearer rp_nope", "Bearer nope", "Token rp_x", "Bearer "])
def test_bad_authorization_headers_get_401(header):
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_using_a_token_records_last_used():
    member = MembershipFactory()
    token, secret = api_token_create(actor=member, name="t")
    assert token.last_used_at is None
    ApiClient(token=secret).get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_bearer_requests_need_no_csrf_token():
    api = ApiClient(MembershipFactory())
    api.client = csrf_client()
    assert api.post("/api/v1/tokens", {"name": "ci"}).status_code == 201


def test_revoked_bearer_on_an_unsafe_method_is_401_not_a_csrf_error():
    member = MembershipFactory()
    token, secret = api_token_create(actor=member, name="t")
    api_token_revoke(actor=member, token_id=token.pk)
    api = ApiClient(token=secret)
    api.client = csrf_client()
    for response in (api.post("/api/v1/tokens", {"name": "x"}), api.delete("/api/v1/tokens/1")):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


# session cookie


def test_session_authenticates_safe_requests_as_the_current_seat():
    member = MembershipFactory()
    body = csrf_client(member.user).get("/api/v1/me").json()
    assert body["membership_id"] == member.pk


def test_session_unsafe_request_without_csrf_token_is_403_in_the_error_shape():
    client = csrf_client(MembershipFactory().user)
    response = post_json(client, "/api/v1/tokens", {"name": "x"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_session_unsafe_request_with_csrf_token_succeeds():
    client = csrf_client(MembershipFactory().user)
    client.get("/accounts/tokens/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = post_json(client, "/api/v1/tokens", {"name": "x"}, HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201


def test_session_without_a_seat_gets_401():
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/api/v1/me").status_code == 401


# OpenAPI


def test_openapi_is_public_and_lists_me():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/me" in schema["paths"]
    assert "/api/v1/tokens" in schema["paths"]
