"""Transactions, their parties, deadlines, offers, checklists, issues and commission."""

from rallypoynt.transactions.models.commission import (
    Commission,
    CommissionSplit,
    SplitPlan,
    SplitPlanAssignment,
)
from rallypoynt.transactions.models.deadlines import Deadline, DeadlineChange, DeadlineNotice
from rallypoynt.transactions.models.management import (
    ChecklistItem,
    ChecklistTemplate,
    Issue,
    ProgressUpdate,
    TransactionSummary,
    WalkthroughReport,
)
from rallypoynt.transactions.models.offers import Offer, OfferVersion
from rallypoynt.transactions.models.parties import Party
from rallypoynt.transactions.models.transactions import Transaction, TransactionEngagement

__all__ = [
    "ChecklistItem",
    "ChecklistTemplate",
    "Commission",
    "CommissionSplit",
    "Deadline",
    "DeadlineChange",
    "DeadlineNotice",
    "Issue",
    "Offer",
    "OfferVersion",
    "Party",
    "ProgressUpdate",
    "SplitPlan",
    "SplitPlanAssignment",
    "Transaction",
    "TransactionEngagement",
    "TransactionSummary",
    "WalkthroughReport",
]
