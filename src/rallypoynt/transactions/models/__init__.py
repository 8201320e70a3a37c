"""Deals, their parties, deadlines, offers, checklists, issues and commission."""

from rallypoynt.transactions.models.commission import (
    Commission,
    CommissionSplit,
    SplitPlan,
    SplitPlanAssignment,
)
from rallypoynt.transactions.models.deadlines import Deadline, DeadlineChange, DeadlineNotice
from rallypoynt.transactions.models.deals import Deal, DealEngagement
from rallypoynt.transactions.models.management import (
    ChecklistItem,
    ChecklistTemplate,
    DealSummary,
    Issue,
    ProgressUpdate,
    WalkthroughReport,
)
from rallypoynt.transactions.models.offers import Offer, OfferVersion
from rallypoynt.transactions.models.parties import Party
from rallypoynt.transactions.models.search import DealSearchTerm

__all__ = [
    "ChecklistItem",
    "ChecklistTemplate",
    "Commission",
    "CommissionSplit",
    "Deadline",
    "DeadlineChange",
    "DeadlineNotice",
    "Deal",
    "DealEngagement",
    "DealSearchTerm",
    "DealSummary",
    "Issue",
    "Offer",
    "OfferVersion",
    "Party",
    "ProgressUpdate",
    "SplitPlan",
    "SplitPlanAssignment",
    "WalkthroughReport",
]
