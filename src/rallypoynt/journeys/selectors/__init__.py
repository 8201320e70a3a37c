"""Reads of journeys data, scoped by the actor's org and visibility: engagements and their
evaluation, the board, handoffs, templates and lost reasons."""

from rallypoynt.journeys.selectors.board import (
    Board,
    board_agent_list,
    board_get,
)
from rallypoynt.journeys.selectors.engagements import (
    VERSION_DATA,
    delivered_keys,
    engagement_clients,
    engagement_contact_ids,
    engagement_evaluate,
    engagement_get,
    engagement_handoffs,
    engagement_list,
    engagement_reach_q,
    engagement_scope_q,
    engagement_visible_q,
    org_calendar,
    phase_visits,
    step_sources,
)
from rallypoynt.journeys.selectors.handoffs import (
    MANAGE_ACTION,
    RoleHolder,
    handoff_list,
    role_holder,
    steps_to_hand_off,
)
from rallypoynt.journeys.selectors.lost_reasons import lost_reason_list
from rallypoynt.journeys.selectors.search import engagement_search, engagement_term_branches
from rallypoynt.journeys.selectors.templates import (
    has_newer_version,
    org_level,
    template_list,
    template_version_get,
    version_blueprint,
)

__all__ = [
    "MANAGE_ACTION",
    "VERSION_DATA",
    "Board",
    "RoleHolder",
    "board_agent_list",
    "board_get",
    "delivered_keys",
    "engagement_clients",
    "engagement_contact_ids",
    "engagement_evaluate",
    "engagement_get",
    "engagement_handoffs",
    "engagement_list",
    "engagement_reach_q",
    "engagement_scope_q",
    "engagement_search",
    "engagement_term_branches",
    "engagement_visible_q",
    "handoff_list",
    "has_newer_version",
    "lost_reason_list",
    "org_calendar",
    "org_level",
    "phase_visits",
    "role_holder",
    "step_sources",
    "steps_to_hand_off",
    "template_list",
    "template_version_get",
    "version_blueprint",
]
