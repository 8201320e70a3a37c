"""The lead pages' old addresses under /contacts/leads/ still lead to them."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "old, new",
    [
        ("/contacts/leads/review/", "/leads/review/"),
        ("/contacts/leads/routing/rules/7/", "/leads/routing/rules/7/"),
        ("/contacts/leads/pond/", "/leads/pond/"),
    ],
)
def test_an_old_lead_page_address_redirects_for_good(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
