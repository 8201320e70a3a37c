import pytest
from django.test import Client

from rallypoynt.accounts.models import User
from rallypoynt.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STRONG = "plum-harbor-lantern-42"


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_user_added_in_the_admin_gets_a_lowercase_login_and_can_log_in(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"email": "New.Person@Example.com", "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new.person@example.com").exists()
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "New.Person@example.com", "password": STRONG}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_admin_refuses_an_address_taken_in_another_case(admin_client):
    UserFactory(email="dana@example.com")
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"email": "DANA@example.com", "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="dana@example.com").count() == 1


def test_admin_user_pages_render(admin_client):
    user = UserFactory()
    assert admin_client.get("/admin/accounts/user/").status_code == 200
    assert admin_client.get(f"/admin/accounts/user/{user.pk}/change/").status_code == 200
    assert admin_client.get("/admin/accounts/apitoken/").status_code == 200
