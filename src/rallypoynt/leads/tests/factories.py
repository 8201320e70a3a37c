"""Lead test data: routing rules and lead e-mails kept for review."""

from __future__ import annotations

from rallypoynt.leads.choices import RoutingAction
from rallypoynt.leads.models import LeadReviewItem, RoutingRule
from rallypoynt.leads.services import review_item_create


def make_rule(org, name: str, **values) -> RoutingRule:
    """A routing rule (default: assign) placed after the org's existing rules."""
    values.setdefault("action", RoutingAction.ASSIGN)
    position = RoutingRule.objects.filter(org=org).count()
    return RoutingRule.objects.create(org=org, name=name, position=position, **values)


def bad_email_item(org, n: int = 0) -> LeadReviewItem:
    """A lead e-mail queued for review: its address cannot be read."""
    raw = (
        f"From: Portal <p@portal.example>\r\nSubject: Lead {n}\r\n\r\n"
        f"Name: Tess Ford\r\nEmail: tess.ford@@example.com\r\nPhone:\r\nMessage: Hi {n}\r\n"
    )
    return review_item_create(
        org_id=org.pk,
        subject=f"Lead {n}",
        sender="Portal <p@portal.example>",
        raw=raw,
        reason="Invalid e-mail address 'tess.ford@@example.com'.",
    )
