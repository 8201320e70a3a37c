"""Writes on users: accounts, e-mail addresses, passwords and profiles."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from email_validator import EmailNotValidError, validate_email

from rallypoynt.accounts.models import User, normalize_email_address, validate_time_zone
from rallypoynt.core.errors import Conflict, ValidationFailed


def validate_email_address(email: str, *, field: str = "email") -> str:
    """Return the normalised address or raise ValidationFailed naming `field`."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed("Invalid e-mail address.", fields={field: [str(exc)]}) from exc
    return normalize_email_address(result.normalized)


def validate_new_password(password: str, *, user: User | None = None) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed(
            "The password is too weak.", fields={"password": list(exc.messages)}
        ) from exc


@transaction.atomic
def user_create(
    *, email: str, password: str, first_name: str = "", last_name: str = "", phone: str = ""
) -> User:
    email = validate_email_address(email)
    if User.objects.filter(email=email).exists():
        raise Conflict("A user with that e-mail exists.", fields={"email": ["taken"]})
    user = User(
        email=email, first_name=first_name.strip(), last_name=last_name.strip(), phone=phone.strip()
    )
    validate_new_password(password, user=user)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def user_update_profile(
    *, user: User, first_name: str, last_name: str, phone: str = "", time_zone: str | None = None
) -> User:
    """Save the profile; `time_zone` blank follows the org's zone, None leaves it unchanged."""
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.phone = phone.strip()
    fields = ["first_name", "last_name", "phone"]
    if time_zone is not None:
        time_zone = time_zone.strip()
        try:
            validate_time_zone(time_zone)
        except ValidationError as exc:
            raise ValidationFailed(
                "Choose a time zone from the list.", fields={"time_zone": exc.messages}
            ) from exc
        user.time_zone = time_zone
        fields.append("time_zone")
    user.save(update_fields=fields)
    return user
