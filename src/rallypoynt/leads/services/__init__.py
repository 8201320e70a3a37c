"""Writes on leads: intake, routing and assignment, speed to lead, lead e-mail, the review queue.

Other apps call the entry points listed here; the topic modules are the app's own business.
"""

from rallypoynt.leads.services.assignment import inquiry_claim, inquiry_reassign
from rallypoynt.leads.services.email_intake import lead_email_ingest
from rallypoynt.leads.services.intake import IntakeResult, LeadIn, lead_intake
from rallypoynt.leads.services.review import (
    review_item_create,
    review_item_discard,
    review_item_resolve,
)
from rallypoynt.leads.services.routing import rule_seller_check, seller_check
from rallypoynt.leads.services.routing_rules import (
    RoutingRuleData,
    routing_rule_create,
    routing_rule_delete,
    routing_rule_move,
    routing_rule_reorder,
    routing_rule_update,
)
from rallypoynt.leads.services.sla import inquiry_sla_enforce
from rallypoynt.leads.services.speed_to_lead import inquiry_acknowledge_send, lead_settings_update

__all__ = [
    "IntakeResult",
    "LeadIn",
    "RoutingRuleData",
    "inquiry_acknowledge_send",
    "inquiry_claim",
    "inquiry_reassign",
    "inquiry_sla_enforce",
    "lead_email_ingest",
    "lead_intake",
    "lead_settings_update",
    "review_item_create",
    "review_item_discard",
    "review_item_resolve",
    "routing_rule_create",
    "routing_rule_delete",
    "routing_rule_move",
    "routing_rule_reorder",
    "routing_rule_update",
    "rule_seller_check",
    "seller_check",
]
