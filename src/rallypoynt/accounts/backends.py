"""Authenticate by e-mail address, case-insensitively."""

from django.contrib.auth.backends import ModelBackend

from rallypoynt.accounts.models import User, normalize_email_address


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        address = email or username
        if not address or password is None:
            return None
        user = User.objects.filter(email=normalize_email_address(address)).first()
        if user is None:
            # Hash anyway so response time does not reveal which addresses exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
