"""API: routing rules, lead settings and inquiries (claim, reassign)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from ninja import Query, Router, Schema, Status

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import Int64, Money, PageLimit, PositiveInt32
from rallypoynt.core.errors import NotFound
from rallypoynt.core.pagination import paginate
from rallypoynt.leads.selectors import routing as selectors_routing
from rallypoynt.leads.services import assignment as lead_assignment
from rallypoynt.leads.services import routing, routing_rules, speed_to_lead
from rallypoynt.leads.services.routing_rules import RoutingRuleData

router = Router(tags=["lead routing"])


class RoutingRuleOut(Schema):
    id: Int64
    name: str
    position: PositiveInt32
    is_active: bool
    action: str
    sources: list[str]
    lead_types: list[str]
    postal_codes: list[str]
    cities: list[str]
    languages: list[str]
    price_min: Decimal | None
    price_max: Decimal | None
    assignee_id: Int64 | None
    team_id: Int64 | None
    pond_timeout_minutes: PositiveInt32
    rr_position: PositiveInt32


class RoutingRuleIn(Schema):
    name: str
    action: str
    is_active: bool = True
    sources: list[str] = []
    lead_types: list[str] = []
    postal_codes: list[str] = []
    cities: list[str] = []
    languages: list[str] = []
    price_min: Money | None = None
    price_max: Money | None = None
    assignee_id: Int64 | None = None
    team_id: Int64 | None = None
    pond_timeout_minutes: PositiveInt32 = 15


class RoutingRulePatch(Schema):
    name: str | None = None
    action: str | None = None
    is_active: bool | None = None
    sources: list[str] | None = None
    lead_types: list[str] | None = None
    postal_codes: list[str] | None = None
    cities: list[str] | None = None
    languages: list[str] | None = None
    price_min: Money | None = None
    price_max: Money | None = None
    assignee_id: Int64 | None = None
    team_id: Int64 | None = None
    pond_timeout_minutes: PositiveInt32 | None = None


class RuleOrderIn(Schema):
    rule_ids: list[Int64]


@router.get("/routing-rules", response={200: list[RoutingRuleOut], **ERRORS})
def routing_rule_list_endpoint(request):
    """The org's rules in the order they are tried."""
    return list(selectors_routing.routing_rule_list(actor=request.auth))


@router.post("/routing-rules", response={201: RoutingRuleOut, **ERRORS})
def routing_rule_create_endpoint(request, payload: RoutingRuleIn):
    """Add a rule at the end; an 'assign' rule must name a member who sells (else 422)."""
    data = RoutingRuleData(**payload.dict())
    with transaction.atomic():
        created = routing_rules.routing_rule_create(actor=request.auth, data=data)
        return Status(201, routing.rule_seller_check(created))


@router.post("/routing-rules/order", response={200: list[RoutingRuleOut], **ERRORS})
def routing_rule_reorder_endpoint(request, payload: RuleOrderIn):
    """Set the order: list every rule id once, first tried first."""
    return routing_rules.routing_rule_reorder(actor=request.auth, rule_ids=payload.rule_ids)


@router.get("/routing-rules/{rule_id}", response={200: RoutingRuleOut, **ERRORS})
def routing_rule_get_endpoint(request, rule_id: Int64):
    found = selectors_routing.routing_rule_get(actor=request.auth, rule_id=rule_id)
    if found is None:
        raise NotFound("No such routing rule.")
    return found


@router.patch("/routing-rules/{rule_id}", response={200: RoutingRuleOut, **ERRORS})
def routing_rule_update_endpoint(request, rule_id: Int64, payload: RoutingRulePatch):
    changes = payload.dict(exclude_unset=True)
    with transaction.atomic():
        rule = routing_rules.routing_rule_update(
            actor=request.auth, rule_id=rule_id, changes=changes
        )
        return routing.rule_seller_check(rule)


@router.delete("/routing-rules/{rule_id}", response={204: None, **ERRORS})
def routing_rule_delete_endpoint(request, rule_id: Int64):
    routing_rules.routing_rule_delete(actor=request.auth, rule_id=rule_id)
    return Status(204, None)


class LeadSettingsOut(Schema):
    first_response_minutes: PositiveInt32
    is_ack_enabled: bool
    ack_subject: str
    ack_body: str
    is_reassign_on_escalation: bool
    default_assignee_id: Int64 | None


class LeadSettingsPatch(Schema):
    first_response_minutes: PositiveInt32 | None = None
    is_ack_enabled: bool | None = None
    ack_subject: str | None = None
    ack_body: str | None = None
    is_reassign_on_escalation: bool | None = None
    default_assignee_id: Int64 | None = None


@router.get("/lead-settings", response={200: LeadSettingsOut, **ERRORS})
def lead_settings_get_endpoint(request):
    return speed_to_lead.lead_settings_get(org_id=request.auth.org_id)


@router.patch("/lead-settings", response={200: LeadSettingsOut, **ERRORS})
def lead_settings_update_endpoint(request, payload: LeadSettingsPatch):
    """Change lead settings; a new default assignee must be a member who sells (else 422)."""
    changes = payload.dict(exclude_unset=True)
    with transaction.atomic():
        settings = speed_to_lead.lead_settings_update(actor=request.auth, changes=changes)
        if "default_assignee_id" in changes:
            routing.seller_check(
                org_id=request.auth.org_id,
                membership_id=settings.default_assignee_id,
                field_name="default_assignee_id",
            )
        return settings


class InquiryOut(Schema):
    id: Int64
    contact_id: Int64
    contact_name: str
    channel: str
    source: str
    lead_type: str
    price: Decimal | None
    language: str
    received_at: datetime
    status: str
    assigned_to_id: Int64 | None
    assigned_to_name: str
    assigned_at: datetime | None
    routing_rule_id: Int64 | None
    routing_reason: str
    pond_team_id: Int64 | None
    claim_deadline_at: datetime | None
    first_response_due_at: datetime | None
    first_responded_at: datetime | None
    first_response_minutes: PositiveInt32 | None
    escalated_at: datetime | None
    escalation_reason: str
    acknowledged_at: datetime | None
    ack_skipped_reason: str

    @staticmethod
    def resolve_contact_name(inquiry) -> str:
        return inquiry.contact.full_name

    @staticmethod
    def resolve_assigned_to_name(inquiry) -> str:
        return str(inquiry.assigned_to.user) if inquiry.assigned_to_id else ""


class InquiryPage(Schema):
    items: list[InquiryOut]
    next_cursor: str | None


class InquiryQuery(Schema):
    status: str = ""
    cursor: str | None = None
    limit: PageLimit = 50


class ReassignIn(Schema):
    membership_id: Int64


@router.get("/inquiries", response={200: InquiryPage, **ERRORS}, summary="Lead inquiries")
def inquiry_list_endpoint(request, query: Query[InquiryQuery]):
    """Inquiries the caller may see, newest first; filter by status."""
    qs = selectors_routing.inquiry_list(actor=request.auth, status=query.status)
    return paginate(qs, cursor=query.cursor, limit=query.limit, ordering=("-received_at", "-id"))


@router.get("/inquiries/{inquiry_id}", response={200: InquiryOut, **ERRORS})
def inquiry_get_endpoint(request, inquiry_id: Int64):
    found = selectors_routing.inquiry_get(actor=request.auth, inquiry_id=inquiry_id)
    if found is None:
        raise NotFound("No such inquiry.")
    return found


@router.post("/inquiries/{inquiry_id}/claim", response={200: InquiryOut, **ERRORS})
def inquiry_claim_endpoint(request, inquiry_id: Int64):
    """Take a lead from your team's pond; 409 names who was first."""
    lead_assignment.inquiry_claim(actor=request.auth, inquiry_id=inquiry_id)
    return selectors_routing.inquiry_get(actor=request.auth, inquiry_id=inquiry_id)


@router.post("/inquiries/{inquiry_id}/reassign", response={200: InquiryOut, **ERRORS})
def inquiry_reassign_endpoint(request, inquiry_id: Int64, payload: ReassignIn):
    lead_assignment.inquiry_reassign(
        actor=request.auth, inquiry_id=inquiry_id, membership_id=payload.membership_id
    )
    return selectors_routing.inquiry_get(actor=request.auth, inquiry_id=inquiry_id)
