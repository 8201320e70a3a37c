"""Transactions, the engagements they serve, and their deadlines with every change kept."""

from rallypoynt.transactions.models.deadlines import Deadline, DeadlineChange, DeadlineNotice
from rallypoynt.transactions.models.offers import Offer, OfferVersion
from rallypoynt.transactions.models.transactions import Transaction, TransactionEngagement

__all__ = [
    "Deadline",
    "DeadlineChange",
    "DeadlineNotice",
    "Offer",
    "OfferVersion",
    "Transaction",
    "TransactionEngagement",
]
