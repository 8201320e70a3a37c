"""Choices of the journeys app."""

from __future__ import annotations

from django.db import models


class TemplateKind(models.TextChoices):
    JOURNEY = "journey", "Client journey"
    PIPELINE = "pipeline", "Sales pipeline"


class Level(models.TextChoices):
    """The seeds' business levels: each ships its own variant of the templates."""

    AGENT = "agent", "Individual agent"
    TEAM = "team", "Team"
    BROKERAGE = "brokerage", "Brokerage"


class Side(models.TextChoices):
    BUY = "buy", "Buyer"
    SELL = "sell", "Seller"


class EngagementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class VisitExit(models.TextChoices):
    """How an engagement left a phase or stage: the metrics tell these apart."""

    ADVANCED = "advanced", "Advanced"
    MOVED_BACK = "moved_back", "Moved back"
    JUMPED = "jumped", "Moved ahead past others"
    UPGRADED = "upgraded", "Template upgraded"
    CLOSED = "closed", "Engagement closed"


class GateVerdict(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# Why an engagement was lost: each org starts from these and edits its own list.
LOST_REASONS = (
    ("other_agent", "Went with another agent"),
    ("not_ready", "Not ready"),
    ("financing", "Financing"),
    ("unreachable", "Unreachable"),
    ("other", "Other"),
)
# Statuses whose journey is still worked: a won engagement goes on through closing and care.
WORKING = (EngagementStatus.ACTIVE, EngagementStatus.WON)
