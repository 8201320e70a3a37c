"""Roles from the client journey's role configurations (agent, team and brokerage)."""

from django.db import models


class Role(models.TextChoices):
    BROKER_OWNER = "broker_owner", "Broker / owner"
    OFFICE_MANAGER = "office_manager", "Office manager"
    COMPLIANCE_OFFICER = "compliance_officer", "Compliance officer"
    AGENT = "agent", "Agent"
    LEAD_AGENT = "lead_agent", "Lead agent / listing specialist"
    BUYER_SPECIALIST = "buyer_specialist", "Buyer specialist"
    TRANSACTION_COORDINATOR = "transaction_coordinator", "Transaction coordinator"
    CLIENT_CARE_COORDINATOR = "client_care_coordinator", "Client care coordinator"
    MARKETING_SPECIALIST = "marketing_specialist", "Marketing specialist"
    ADMIN_SUPPORT = "admin_support", "Administrative support"
    SHOWING_ASSISTANT = "showing_assistant", "Showing assistant"
    CONTRACT_REVIEWER = "contract_reviewer", "Contract reviewer"
    SYSTEMS_ADMIN = "systems_admin", "Systems administrator"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


# Roles that work leads: round robin, ponds and lead assignment choose only members holding
# one. A broker/owner alone in their org sells too (leads.selectors.config.is_seller).
SELLING_ROLES = frozenset({Role.AGENT, Role.LEAD_AGENT, Role.BUYER_SPECIALIST})
