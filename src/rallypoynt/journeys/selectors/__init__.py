"""Reads of journeys data, scoped by the actor's org and visibility: engagements and their
evaluation, the board, handoffs, templates and lost reasons."""

from rallypoynt.journeys.selectors.board import (
    Board,
    Column,
    board_agent_list,
    board_get,
    pipeline_counts,
)
from rallypoynt.journeys.selectors.engagements import (
    CONTACT_ENGAGEMENTS,
    VERSION_DATA,
    ClientEngagement,
    contact_engagements,
    contact_engagements_panel,
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
from rallypoynt.journeys.selectors.queues import gated_phases, gates_waiting
from rallypoynt.journeys.selectors.search import engagement_search, engagement_term_branches
from rallypoynt.journeys.selectors.templates import (
    has_newer_version,
    org_level,
    template_list,
    template_version_get,
    version_blueprint,
)

__all__ = [
    "CONTACT_ENGAGEMENTS",
    "MANAGE_ACTION",
    "VERSION_DATA",
    "Board",
    "ClientEngagement",
    "Column",
    "RoleHolder",
    "board_agent_list",
    "board_get",
    "contact_engagements",
    "contact_engagements_panel",
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
    "gated_phases",
    "gates_waiting",
    "handoff_list",
    "has_newer_version",
    "lost_reason_list",
    "org_calendar",
    "org_level",
    "phase_visits",
    "pipeline_counts",
    "role_holder",
    "step_sources",
    "steps_to_hand_off",
    "template_list",
    "template_version_get",
    "version_blueprint",
]
