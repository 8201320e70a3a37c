"""Vocabulary of the CRM: stages, consent, touchpoints, lead intake and routing."""

from django.db import models


class Stage(models.TextChoices):
    LEAD = "lead", "Lead"
    PROSPECT = "prospect", "Prospect"
    CLIENT = "client", "Client"
    PAST_CLIENT = "past_client", "Past client"
    SPHERE = "sphere", "Sphere"


class EmailKind(models.TextChoices):
    PERSONAL = "personal", "Personal"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class Consent(models.TextChoices):
    UNKNOWN = "unknown", "Not asked"
    OPTED_IN = "opted_in", "Opted in"
    OPTED_OUT = "opted_out", "Opted out"


class RelationshipKind(models.TextChoices):
    SPOUSE = "spouse", "Spouse / partner"
    CO_BUYER = "co_buyer", "Co-buyer"
    CO_SELLER = "co_seller", "Co-seller"
    FAMILY = "family", "Family"
    REFERRED_BY = "referred_by", "Referred by"


# Kinds that put two people in one household.
HOUSEHOLD_KINDS = frozenset({RelationshipKind.SPOUSE, RelationshipKind.FAMILY})


class CustomFieldType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    CHOICE = "choice", "Choice"
    BOOLEAN = "boolean", "Yes / no"


class TouchpointKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    TEXT = "text", "Text message"
    MEETING = "meeting", "Meeting"
    NOTE = "note", "Note"


class Direction(models.TextChoices):
    OUTBOUND = "outbound", "Outbound"
    INBOUND = "inbound", "Inbound"
    INTERNAL = "internal", "Internal"


class Outcome(models.TextChoices):
    NONE = "", "—"
    CONNECTED = "connected", "Connected"
    LEFT_VOICEMAIL = "left_voicemail", "Left voicemail"
    NO_ANSWER = "no_answer", "No answer"
    SENT = "sent", "Sent"
    REPLIED = "replied", "Replied"
    SCHEDULED = "scheduled", "Appointment set"
    COMPLETED = "completed", "Completed"


class LeadType(models.TextChoices):
    BUYER = "buyer", "Buyer"
    SELLER = "seller", "Seller"
    RENTER = "renter", "Renter"


class Channel(models.TextChoices):
    API = "api", "API"
    EMAIL = "email", "E-mail"
    CSV = "csv", "CSV import"
    WEB = "web", "Entered by hand"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ProfileSide(models.TextChoices):
    """Which of a client's needs a profile holds: what they want to buy, or to sell."""

    BUY = "buy", "Buyer"
    SELL = "sell", "Seller"


class PropertyType(models.TextChoices):
    """Kinds of property, after RESO's PropertyType / PropertySubType (Single Family
    Residence, Condominium, Townhouse, Residential Income, Land, Manufactured Home)."""

    SINGLE_FAMILY = "single_family", "Single-family home"
    CONDOMINIUM = "condominium", "Condominium"
    TOWNHOUSE = "townhouse", "Townhouse"
    MULTI_FAMILY = "multi_family", "Multi-family (2-4 units)"
    LAND = "land", "Land / lot"
    MANUFACTURED = "manufactured", "Manufactured home"


class Timeframe(models.TextChoices):
    """When the client means to move: the urgency saved searches and metrics sort by."""

    NONE = "", "Not known yet"
    NOW = "now", "Within 30 days"
    MONTHS_3 = "months_3", "1-3 months"
    MONTHS_6 = "months_6", "3-6 months"
    MONTHS_12 = "months_12", "6-12 months"
    LATER = "later", "More than a year"
