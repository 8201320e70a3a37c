"""The transaction summary record: everything worth keeping about a finished deal, as plain
JSON (prices, dates, parties, how each contingency ended, issues, checklists, commission)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q

from rallypoynt.core.clock import local_today
from rallypoynt.transactions.choices import IssueStatus, ItemStatus
from rallypoynt.transactions.models import ChecklistItem, Commission, Deal, Issue, Offer
from rallypoynt.transactions.selectors.deals import deadline_list, party_list


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _prices(deal: Deal) -> dict[str, Any]:
    ratio = None
    if deal.final_price and deal.list_price:
        ratio = str(
            (deal.final_price / deal.list_price * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        )
    return {
        "list": _money(deal.list_price),
        "offer": _money(deal.offer_price),
        "contract": _money(deal.contract_price),
        "final": _money(deal.final_price),
        "sale_to_list_percent": ratio,
        "earnest_money": _money(deal.earnest_money),
        "earnest_money_received_on": _iso(deal.earnest_money_received_on),
    }


def _dates(deal: Deal) -> dict[str, Any]:
    end = deal.closed_on or deal.terminated_on
    days = (end - deal.accepted_on).days if end and deal.accepted_on else None
    return {
        "offer_on": _iso(deal.offer_on),
        "accepted_on": _iso(deal.accepted_on),
        "closing_on": _iso(deal.closing_on),
        "closed_on": _iso(deal.closed_on),
        "possession_on": _iso(deal.possession_on),
        "terminated_on": _iso(deal.terminated_on),
        "days_contract_to_close": days if deal.closed_on else None,
        "days_under_contract": days,
    }


def _deadlines(deal: Deal) -> list[dict[str, Any]]:
    rows = []
    for row in deadline_list(deal=deal):
        resolved_on = local_today(deal.org, row.resolved_at) if row.resolved_at else None
        rows.append(
            {
                "name": row.name,
                "kind": row.kind,
                "is_contingency": row.is_contingency,
                "due_on": _iso(row.due_on),
                "status": row.status,
                "resolved_on": _iso(resolved_on),
                "resolution_days": (resolved_on - deal.accepted_on).days
                if resolved_on and deal.accepted_on
                else None,
                "on_time": bool(row.resolved_at and row.due_at and row.resolved_at <= row.due_at),
            }
        )
    return rows


def _counts(deal: Deal) -> dict[str, Any]:
    issues = Issue.objects.filter(org_id=deal.org_id, deal=deal).aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status=IssueStatus.OPEN))
    )
    checklists = (
        ChecklistItem.objects.filter(org_id=deal.org_id, deal=deal)
        .values("kind")
        .annotate(total=Count("pk"), done=Count("pk", filter=~Q(status=ItemStatus.OPEN)))
    )
    offers = Offer.objects.filter(org_id=deal.org_id, deal=deal).aggregate(
        offers=Count("pk", distinct=True), versions=Count("versions")
    )
    return {
        "issues": issues,
        "checklists": {
            row["kind"]: {"done": row["done"], "total": row["total"]} for row in checklists
        },
        "offers": offers,
    }


def _commission(deal: Deal) -> list[dict[str, Any]]:
    rows = Commission.objects.filter(org_id=deal.org_id, deal=deal).prefetch_related("splits")
    return [
        {
            "side": row.side,
            "gross": _money(row.gross),
            "status": row.status,
            "splits": [
                {"payee": s.payee, "name": s.name, "amount": _money(s.amount)}
                for s in row.splits.all()
            ],
        }
        for row in rows.order_by("side")
    ]


def summary_record(deal: Deal) -> dict[str, Any]:
    """The deal as it ended, in plain JSON."""
    return {
        "property": {
            "street": deal.street,
            "city": deal.city,
            "state": deal.state,
            "postal_code": deal.postal_code,
            "mls_number": deal.mls_number,
        },
        "kind": deal.kind,
        "status": deal.status,
        "terminated_reason": deal.terminated_reason,
        "prices": _prices(deal),
        "dates": _dates(deal),
        "parties": [
            {
                "role": p.role,
                "side": p.side,
                "name": p.name,
                "company": p.company,
                "email": p.email,
                "phone": p.phone,
            }
            for p in party_list(deal=deal)
        ],
        "deadlines": _deadlines(deal),
        **_counts(deal),
        "commission": _commission(deal),
    }
