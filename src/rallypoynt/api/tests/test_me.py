import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_me_returns_user_org_and_roles_for_a_bearer_token():
    member = MembershipFactory(roles=[Role.AGENT, Role.BUYER_SPECIALIST])
    response = ApiClient(member).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == member.user.email
    assert body["org"]["slug"] == member.org.slug
    assert body["roles"] == ["agent", "buyer_specialist"]


def test_me_without_credentials_is_401_in_the_error_shape():
    response = ApiClient().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
