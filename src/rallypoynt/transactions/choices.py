"""Choices of the transactions app."""

from __future__ import annotations

from django.db import models


class DealKind(models.TextChoices):
    PURCHASE = "purchase", "Purchase"
    SALE = "sale", "Sale"
    LEASE = "lease", "Lease"


class DealStatus(models.TextChoices):
    OFFER = "offer", "Offer"
    UNDER_CONTRACT = "under_contract", "Under contract"
    PENDING = "pending", "Pending"
    CLOSED = "closed", "Closed"
    TERMINATED = "terminated", "Terminated"


class DeadlineKind(models.TextChoices):
    INSPECTION = "inspection", "Inspection contingency"
    APPRAISAL = "appraisal", "Appraisal contingency"
    FINANCING = "financing", "Financing contingency"
    TITLE = "title", "Title review"
    HOA_DOCUMENTS = "hoa_documents", "HOA documents review"
    HOME_SALE = "home_sale", "Sale of buyer's home"
    ATTORNEY_REVIEW = "attorney_review", "Attorney review"
    EARNEST_MONEY = "earnest_money", "Earnest money due"
    FINAL_WALKTHROUGH = "final_walkthrough", "Final walk-through"
    CLOSING = "closing", "Closing"
    POSSESSION = "possession", "Possession"
    CUSTOM = "custom", "Custom"


# A contingency protects the client until removed; a milestone simply has to happen.
CONTINGENCIES = frozenset(
    {
        DeadlineKind.INSPECTION,
        DeadlineKind.APPRAISAL,
        DeadlineKind.FINANCING,
        DeadlineKind.TITLE,
        DeadlineKind.HOA_DOCUMENTS,
        DeadlineKind.HOME_SALE,
        DeadlineKind.ATTORNEY_REVIEW,
    }
)


class Anchor(models.TextChoices):
    ACCEPTANCE = "acceptance", "Acceptance (effective date)"
    CLOSING = "closing", "Closing date"
    DEADLINE = "deadline", "Another deadline"
    FIXED = "fixed", "A fixed date"


class DeadlineStatus(models.TextChoices):
    OPEN = "open", "Open"
    SATISFIED = "satisfied", "Removed / satisfied"
    WAIVED = "waived", "Waived"
    EXTENDED = "extended", "Extended"
    FAILED = "failed", "Failed"


RESOLVED = frozenset({DeadlineStatus.SATISFIED, DeadlineStatus.WAIVED, DeadlineStatus.FAILED})
# Still to be met: an extended contingency is open with a later date.
UNRESOLVED = frozenset({DeadlineStatus.OPEN, DeadlineStatus.EXTENDED})


class OfferStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    COUNTERED = "countered", "Countered"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


OFFER_LIVE = frozenset({OfferStatus.DRAFT, OfferStatus.SUBMITTED})


class Financing(models.TextChoices):
    CASH = "cash", "Cash"
    CONVENTIONAL = "conventional", "Conventional"
    FHA = "fha", "FHA"
    VA = "va", "VA"
    USDA = "usda", "USDA"
    OTHER = "other", "Other"


class PartyRole(models.TextChoices):
    BUYER = "buyer", "Buyer"
    SELLER = "seller", "Seller"
    BUYER_AGENT = "buyer_agent", "Buyer's agent"
    LISTING_AGENT = "listing_agent", "Listing agent"
    LENDER = "lender", "Lender / loan officer"
    TITLE_ESCROW = "title_escrow", "Title / escrow"
    INSPECTOR = "inspector", "Inspector"
    APPRAISER = "appraiser", "Appraiser"
    ATTORNEY = "attorney", "Attorney"
    TRANSACTION_COORDINATOR = "transaction_coordinator", "Transaction coordinator"
    OTHER = "other", "Other"


# Roles that are the clients themselves: progress updates go to them.
CLIENT_ROLES = frozenset({PartyRole.BUYER, PartyRole.SELLER})


class ChecklistKind(models.TextChoices):
    DUE_DILIGENCE = "due_diligence", "Due diligence schedule"
    PRE_CLOSING = "pre_closing", "Pre-closing checklist"
    CLOSING = "closing", "Closing coordination checklist"
    TERMINATION = "termination", "Termination checklist"


class ItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    NOT_APPLICABLE = "na", "Not applicable"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Payee(models.TextChoices):
    AGENT = "agent", "Agent"
    TEAM = "team", "Team"
    BROKERAGE = "brokerage", "Brokerage"
    REFERRAL = "referral", "Referral"


class CommissionStatus(models.TextChoices):
    PROJECTED = "projected", "Projected"
    FINAL = "final", "Final (closed)"
