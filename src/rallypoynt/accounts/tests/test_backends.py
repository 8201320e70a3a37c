import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password

from rallypoynt.accounts.models import User
from rallypoynt.accounts.tests.factories import PASSWORD, UserFactory
from rallypoynt.config import settings as real_settings

pytestmark = pytest.mark.django_db


def test_login_address_is_case_insensitive():
    user = UserFactory(email="dana@example.com")
    assert authenticate(None, username="DANA@Example.COM", password=PASSWORD) == user
    assert authenticate(None, email="  Dana@example.com ", password=PASSWORD) == user


def test_wrong_password_unknown_address_and_missing_password_are_refused():
    UserFactory(email="dana@example.com")
    assert authenticate(None, username="dana@example.com", password="wrong") is None
    assert authenticate(None, username="nobody@example.com", password=PASSWORD) is None
    assert authenticate(None, username="dana@example.com", password=None) is None
    assert authenticate(None, username="", password=PASSWORD) is None


def test_inactive_user_cannot_authenticate_even_with_the_right_password():
    UserFactory(email="gone@example.com", is_active=False)
    assert authenticate(None, username="gone@example.com", password=PASSWORD) is None


def test_manager_lowercases_addresses_and_finds_users_by_any_case():
    user = User.objects.create_user("Mixed.Case@Example.com", PASSWORD)
    assert user.email == "mixed.case@example.com"
    assert User.objects.get_by_natural_key("MIXED.CASE@example.com") == user


def test_real_settings_hash_with_argon2_first():
    # The autouse fixture swaps in MD5 for speed; the settings module itself must not.
    assert real_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_real_hashers_store_argon2_and_still_verify_older_pbkdf2_hashes(settings):
    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS
    user = UserFactory()
    assert user.password.startswith("argon2$")
    assert authenticate(None, username=user.email, password=PASSWORD) == user
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()
    assert authenticate(None, username=user.email, password=PASSWORD) == user
    user.refresh_from_db()
    assert user.password.startswith("argon2$")  # upgraded on login
