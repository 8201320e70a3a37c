import pytest

from rallypoynt.accounts.selectors import api_token_authenticate, api_token_list
from rallypoynt.accounts.services import api_token_create, api_token_revoke
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_token_list_holds_only_the_actors_tokens_in_their_current_org():
    seat_a = MembershipFactory()
    seat_b = MembershipFactory(user=seat_a.user)
    colleague = MembershipFactory(org=seat_a.org)
    mine, _ = api_token_create(actor=seat_a, name="mine")
    newer, _ = api_token_create(actor=seat_a, name="newer")
    api_token_create(actor=seat_b, name="other org")
    api_token_create(actor=colleague, name="colleague")
    assert list(api_token_list(actor=seat_a)) == [newer, mine]


def test_authenticate_finds_active_tokens_only():
    member = MembershipFactory()
    token, secret = api_token_create(actor=member, name="t")
    found = api_token_authenticate(secret=secret)
    assert found == token and found.user == member.user and found.org == member.org
    assert api_token_authenticate(secret=secret + "x") is None
    assert api_token_authenticate(secret=secret[len("rp_") :]) is None
    assert api_token_authenticate(secret="") is None
    api_token_revoke(actor=member, token_id=token.pk)
    assert api_token_authenticate(secret=secret) is None
