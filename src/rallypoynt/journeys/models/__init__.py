"""Templates and their versions; engagements and the history the metrics read."""

from rallypoynt.journeys.models.engagements import Engagement, EngagementContact, LostReason
from rallypoynt.journeys.models.history import (
    DeliverableRecord,
    GateDecision,
    Handoff,
    PhaseVisit,
    StageVisit,
    StepCompletion,
)
from rallypoynt.journeys.models.search import EngagementSearchTerm
from rallypoynt.journeys.models.templates import JourneyTemplate, TemplateVersion

__all__ = [
    "DeliverableRecord",
    "Engagement",
    "EngagementContact",
    "EngagementSearchTerm",
    "GateDecision",
    "Handoff",
    "JourneyTemplate",
    "LostReason",
    "PhaseVisit",
    "StageVisit",
    "StepCompletion",
    "TemplateVersion",
]
