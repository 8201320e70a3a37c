"""Vocabulary of lead intake: an inquiry's status, routing actions, the review queue."""

from django.db import models


class InquiryStatus(models.TextChoices):
    NEW = "new", "New"
    POND = "pond", "In the pond"
    ASSIGNED = "assigned", "Assigned, waiting for first response"
    RESPONDED = "responded", "Responded"
    ESCALATED = "escalated", "Escalated"


class RoutingAction(models.TextChoices):
    ASSIGN = "assign", "Assign to a member"
    ROUND_ROBIN = "round_robin", "Round robin within a team"
    POND = "pond", "First to claim (pond)"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Turned into a lead"
    DISCARDED = "discarded", "Discarded"
