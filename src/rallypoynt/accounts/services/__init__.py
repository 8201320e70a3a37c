"""Writes on accounts: users and passwords, login throttling, API tokens, calendar feeds."""

from rallypoynt.accounts.services.calendar_feeds import (
    FEED_PREFIX,
    calendar_feed_create,
    calendar_feed_revoke,
)
from rallypoynt.accounts.services.logins import (
    login_attempt_record,
    login_attempts_prune,
    login_backoff,
    login_is_throttled,
    login_retry_after,
)
from rallypoynt.accounts.services.tokens import (
    TOKEN_PREFIX,
    Seat,
    api_token_create,
    api_token_revoke,
    api_token_touch,
    token_hash,
)
from rallypoynt.accounts.services.users import (
    user_create,
    user_update_profile,
    validate_email_address,
    validate_new_password,
)

__all__ = [
    "FEED_PREFIX",
    "TOKEN_PREFIX",
    "Seat",
    "api_token_create",
    "api_token_revoke",
    "api_token_touch",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "login_attempt_record",
    "login_attempts_prune",
    "login_backoff",
    "login_is_throttled",
    "login_retry_after",
    "token_hash",
    "user_create",
    "user_update_profile",
    "validate_email_address",
    "validate_new_password",
]
