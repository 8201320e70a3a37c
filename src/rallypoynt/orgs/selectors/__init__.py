"""Reads of org data, always scoped to the actor's organization (or the user's own seats)."""

from rallypoynt.orgs.selectors.calendar_feeds import calendar_feed_active, calendar_feed_member
from rallypoynt.orgs.selectors.members import (
    invitation_list,
    member_get,
    member_list,
    membership_for_token,
    membership_for_user,
    memberships_of_user,
    org_roles,
    organizations_of_user,
)
from rallypoynt.orgs.selectors.notifications import notification_list, notification_unread_count
from rallypoynt.orgs.selectors.organization import (
    audit_list,
    business_hours_of,
    calendar_for_org,
    closure_list,
    upcoming_holidays,
)
from rallypoynt.orgs.selectors.structure import office_list, team_list

__all__ = [
    "audit_list",
    "business_hours_of",
    "calendar_feed_active",
    "calendar_feed_member",
    "calendar_for_org",
    "closure_list",
    "invitation_list",
    "member_get",
    "member_list",
    "membership_for_token",
    "membership_for_user",
    "memberships_of_user",
    "notification_list",
    "notification_unread_count",
    "office_list",
    "org_roles",
    "organizations_of_user",
    "team_list",
    "upcoming_holidays",
]
