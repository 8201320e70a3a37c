"""Writes of the journeys app: templates and engagements."""

from rallypoynt.journeys.services.client_work import (
    engagement_profile_replay,
    engagements_profile_follow,
)
from rallypoynt.journeys.services.engagements import (
    LEAD_EVENTS,
    engagement_close,
    engagement_delete,
    engagement_hold,
    engagement_open,
)
from rallypoynt.journeys.services.follow import evidence_withdraw, journey_follow
from rallypoynt.journeys.services.handoffs import handoff_accept, handoffs_open
from rallypoynt.journeys.services.lead_work import engagement_lead_follow
from rallypoynt.journeys.services.lost_reasons import (
    MANAGE_ACTION,
    lost_reason_save,
    lost_reasons_ensure,
)
from rallypoynt.journeys.services.outcomes import WRAP_UP_DAYS, engagement_win, wrap_ups_due
from rallypoynt.journeys.services.progress import (
    deliverable_record,
    engagement_upgrade,
    gate_decide,
    phase_advance,
    stage_change,
    step_complete,
    step_undo,
)
from rallypoynt.journeys.services.returns import engagement_return, phase_return
from rallypoynt.journeys.services.templates import (
    _shipped_copy,
    template_copy,
    template_draft_edit,
    template_in_use,
    template_version_create,
    template_version_import,
    template_version_publish,
)

__all__ = [
    "LEAD_EVENTS",
    "MANAGE_ACTION",
    "WRAP_UP_DAYS",
    "_shipped_copy",
    "deliverable_record",
    "engagement_close",
    "engagement_delete",
    "engagement_hold",
    "engagement_lead_follow",
    "engagement_open",
    "engagement_profile_replay",
    "engagement_return",
    "engagement_upgrade",
    "engagement_win",
    "engagements_profile_follow",
    "evidence_withdraw",
    "gate_decide",
    "handoff_accept",
    "handoffs_open",
    "journey_follow",
    "lost_reason_save",
    "lost_reasons_ensure",
    "phase_advance",
    "phase_return",
    "stage_change",
    "step_complete",
    "step_undo",
    "template_copy",
    "template_draft_edit",
    "template_in_use",
    "template_version_create",
    "template_version_import",
    "template_version_publish",
    "wrap_ups_due",
]
