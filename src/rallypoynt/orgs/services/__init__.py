"""Writes on org structure: each validates, writes atomically, audits and emits an event."""

from rallypoynt.orgs.services.common import (
    DEFAULT_WEEK,
    INVITATION_DAYS,
    ROLE_CODES,
    require,
    require_not_outranked,
    require_owner_for,
    require_reach,
    validate_lengths,
    validate_roles,
)
from rallypoynt.orgs.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_find,
    invitation_revoke,
)
from rallypoynt.orgs.services.members import member_add, member_update
from rallypoynt.orgs.services.notifications import (
    notification_mark_read,
    notification_read,
    notification_send,
)
from rallypoynt.orgs.services.organization import (
    SETTINGS_FIELDS,
    business_hours_set,
    closure_add,
    closure_remove,
    organization_create,
    organization_update,
    validate_calendar_settings,
)
from rallypoynt.orgs.services.structure import (
    office_create,
    team_create,
    team_member_add,
    team_member_remove,
)

__all__ = [
    "DEFAULT_WEEK",
    "INVITATION_DAYS",
    "ROLE_CODES",
    "SETTINGS_FIELDS",
    "business_hours_set",
    "closure_add",
    "closure_remove",
    "invitation_accept",
    "invitation_create",
    "invitation_find",
    "invitation_revoke",
    "member_add",
    "member_update",
    "notification_mark_read",
    "notification_read",
    "notification_send",
    "office_create",
    "organization_create",
    "organization_update",
    "require",
    "require_not_outranked",
    "require_owner_for",
    "require_reach",
    "team_create",
    "team_member_add",
    "team_member_remove",
    "validate_calendar_settings",
    "validate_lengths",
    "validate_roles",
]
