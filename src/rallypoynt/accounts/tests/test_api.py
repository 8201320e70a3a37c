import pytest

from rallypoynt.accounts.models import APIToken
from rallypoynt.accounts.services import api_token_create, token_hash
from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_me_reports_the_tokens_org_even_when_the_user_has_other_seats():
    seat_a = MembershipFactory()
    seat_b = MembershipFactory(user=seat_a.user)
    assert seat_b.pk > seat_a.pk
    for seat in (seat_a, seat_b):
        body = ApiClient(seat).get("/api/v1/me").json()
        assert body["org"]["id"] == seat.org_id
        assert body["membership_id"] == seat.pk


def test_create_returns_the_secret_once_then_lists_without_it():
    member = MembershipFactory()
    api = ApiClient(member)
    response = api.post("/api/v1/tokens", {"name": "Zapier"})
    assert response.status_code == 201
    created = response.json()
    secret = created["token"]
    assert secret.startswith("rp_") and created["prefix"] == secret[:10]
    assert APIToken.objects.get(pk=created["id"]).token_hash == token_hash(secret)

    listed = api.get("/api/v1/tokens").json()
    assert {t["name"] for t in listed} == {"tests", "Zapier"}
    assert all("token" not in t for t in listed)
    assert secret not in api.get("/api/v1/tokens").text
    assert ApiClient(token=secret).get("/api/v1/me").status_code == 200


def test_list_holds_only_own_tokens_of_the_tokens_org():
    seat_a = MembershipFactory()
    seat_b = MembershipFactory(user=seat_a.user)
    api_token_create(actor=seat_b, name="mine-in-b")
    api_token_create(actor=MembershipFactory(org=seat_a.org), name="colleagues")
    names = [t["name"] for t in ApiClient(seat_a).get("/api/v1/tokens").json()]
    assert names == ["tests"]


def test_revoked_token_gets_401():
    member = MembershipFactory()
    token, secret = api_token_create(actor=member, name="doomed")
    api = ApiClient(member)
    assert api.delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    response = ApiClient(token=secret).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_token_can_revoke_itself():
    member = MembershipFactory()
    token, secret = api_token_create(actor=member, name="self")
    api = ApiClient(token=secret)
    assert api.delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


def test_revoking_someone_elses_token_is_404_and_changes_nothing():
    owner = MembershipFactory()
    token, secret = api_token_create(actor=owner, name="theirs")
    response = ApiClient(MembershipFactory(org=owner.org)).delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiClient(token=secret).get("/api/v1/me").status_code == 200


def test_token_of_an_inactive_user_gets_401():
    member = MembershipFactory()
    api = ApiClient(member)
    member.user.is_active = False
    member.user.save()
    assert api.get("/api/v1/me").status_code == 401


def test_token_of_an_inactive_membership_gets_401_even_with_another_active_seat():
    seat_a = MembershipFactory()
    MembershipFactory(user=seat_a.user)
    api = ApiClient(seat_a)
    seat_a.is_active = False
    seat_a.save()
    assert api.get("/api/v1/me").status_code == 401
    assert api.get("/api/v1/tokens").status_code == 401


def test_create_with_blank_name_is_422_on_the_name_field():
    response = ApiClient(MembershipFactory()).post("/api/v1/tokens", {"name": "  "})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["name"]
