"""Reads on leads, scoped by the actor's org and role; other apps call what is listed here."""

from rallypoynt.leads.selectors.config import (
    LeadConfig,
    lead_calendar,
    lead_config_for,
    lead_settings_for,
    member_is_seller,
)
from rallypoynt.leads.selectors.day import inquiries_waiting, leads_unanswered, my_day
from rallypoynt.leads.selectors.review import review_item_get, review_item_list
from rallypoynt.leads.selectors.routing import inquiry_get, inquiry_list, pond_list

__all__ = [
    "LeadConfig",
    "inquiries_waiting",
    "inquiry_get",
    "inquiry_list",
    "lead_calendar",
    "lead_config_for",
    "lead_settings_for",
    "leads_unanswered",
    "member_is_seller",
    "my_day",
    "pond_list",
    "review_item_get",
    "review_item_list",
]
