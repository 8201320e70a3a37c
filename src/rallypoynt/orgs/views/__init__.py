"""Pages of the orgs app: the org settings, a member's own pages (profile, API tokens,
calendar feed), notifications, and accepting an invitation."""

from rallypoynt.orgs.views.account import profile_view, token_list_view, token_revoke_view
from rallypoynt.orgs.views.calendar_feeds import (
    calendar_feed_create_view,
    calendar_feed_revoke_view,
)
from rallypoynt.orgs.views.notifications import (
    notification_badge_view,
    notification_list_view,
    notification_read_all_view,
    notification_read_view,
)
from rallypoynt.orgs.views.settings import (
    audit_list_view,
    closure_add_view,
    closure_remove_view,
    invitation_accept_view,
    invitation_revoke_view,
    member_edit_view,
    member_list_view,
    office_list_view,
    org_switch_view,
    settings_general_view,
    settings_hours_view,
    team_list_view,
    team_member_add_view,
)

__all__ = [
    "audit_list_view",
    "calendar_feed_create_view",
    "calendar_feed_revoke_view",
    "closure_add_view",
    "closure_remove_view",
    "invitation_accept_view",
    "invitation_revoke_view",
    "member_edit_view",
    "member_list_view",
    "notification_badge_view",
    "notification_list_view",
    "notification_read_all_view",
    "notification_read_view",
    "office_list_view",
    "org_switch_view",
    "profile_view",
    "settings_general_view",
    "settings_hours_view",
    "team_list_view",
    "team_member_add_view",
    "token_list_view",
    "token_revoke_view",
]
