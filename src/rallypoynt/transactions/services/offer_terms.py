"""An offer's terms: checked all at once, compared between versions, and set side by side
across offers with the net to the seller."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from django.db.models import Prefetch

from rallypoynt.core.errors import ValidationFailed
from rallypoynt.transactions.choices import CONTINGENCIES, Financing, OfferStatus
from rallypoynt.transactions.domain import money
from rallypoynt.transactions.models import Deal, OfferVersion

TERMS = (
    "price",
    "earnest_money",
    "financing",
    "down_payment",
    "contingencies",
    "closing_on",
    "seller_concessions",
    "inclusions",
    "exclusions",
    "expires_at",
)
MONEY_TERMS = ("price", "earnest_money", "down_payment", "seller_concessions")


class ContingencyTerm(TypedDict):
    """One contingency of an offer, as OfferVersion.contingencies stores it."""

    kind: str
    days: int
    day_type: str


class OfferTerms(TypedDict):
    """An offer's terms once checked: the OfferVersion fields named in TERMS."""

    price: Decimal
    earnest_money: Decimal | None
    down_payment: Decimal | None
    seller_concessions: Decimal | None
    financing: str
    contingencies: list[ContingencyTerm]
    closing_on: date | None
    inclusions: str
    exclusions: str
    expires_at: datetime | None


def _money(value: Any, name: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors[name] = ["an amount"]
        return None
    if not amount.is_finite() or amount < 0 or amount > Decimal("999999999999.99"):
        errors[name] = ["an amount from 0 to 999,999,999,999.99"]
        return None
    return amount.quantize(Decimal("0.01"))


def _contingencies(value: Any, errors: dict[str, list[str]]) -> list[ContingencyTerm]:
    rows: list[ContingencyTerm] = []
    for i, row in enumerate(value or []):
        kind = row.get("kind") if isinstance(row, dict) else None
        days = row.get("days") if isinstance(row, dict) else None
        day_type = (row.get("day_type") or "calendar") if isinstance(row, dict) else None
        if kind not in CONTINGENCIES:
            errors[f"contingencies.{i}.kind"] = [f"one of {', '.join(sorted(CONTINGENCIES))}"]
        elif not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 365:
            errors[f"contingencies.{i}.days"] = ["a whole number of days, 0 to 365"]
        elif day_type not in ("calendar", "business"):
            errors[f"contingencies.{i}.day_type"] = ["calendar or business"]
        else:
            rows.append({"kind": kind, "days": days, "day_type": day_type})
    return rows


def terms_clean(terms: dict[str, Any], *, now: datetime) -> OfferTerms:
    """Every term checked at once; ValidationFailed names each bad one."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(terms) - set(TERMS))
    for name in unknown:
        errors[name] = ["unknown term"]
    amounts = {name: _money(terms.get(name), name, errors) for name in MONEY_TERMS}
    price = amounts["price"]
    if price is None and "price" not in errors:
        errors["price"] = ["required"]
    financing = terms.get("financing") or Financing.CONVENTIONAL
    if financing not in Financing.values:
        errors["financing"] = [f"one of {', '.join(Financing.values)}"]
    expires_at = terms.get("expires_at")
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = ["in the future"]
    contingencies = _contingencies(terms.get("contingencies"), errors)
    if errors:
        raise ValidationFailed("The offer's terms are not valid.", fields=errors)
    assert price is not None, "a missing price is an error above"
    return OfferTerms(
        price=price,
        earnest_money=amounts["earnest_money"],
        down_payment=amounts["down_payment"],
        seller_concessions=amounts["seller_concessions"],
        financing=financing,
        contingencies=contingencies,
        closing_on=terms.get("closing_on"),
        inclusions=str(terms.get("inclusions") or ""),
        exclusions=str(terms.get("exclusions") or ""),
        expires_at=expires_at,
    )


def terms_of(version: OfferVersion) -> dict[str, Any]:
    """Every term of a version, by name."""
    return {name: getattr(version, name) for name in TERMS}


def terms_diff(older: OfferVersion, newer: OfferVersion) -> dict[str, list]:
    """{term: [before, after]} for every term the newer version changed."""
    a, b = terms_of(older), terms_of(newer)
    return {name: [_plain(a[name]), _plain(b[name])] for name in TERMS if a[name] != b[name]}


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | float | str | list | None) else str(value)


def offers_compare(
    deal: Deal, *, commission_rate: Decimal, closing_costs: Decimal
) -> list[dict[str, Any]]:
    """Every live or accepted offer's latest terms side by side, with net to seller (price
    less concessions, commission at `commission_rate` and other closing costs)."""
    rows = []
    live = deal.offers.exclude(status__in=[OfferStatus.WITHDRAWN]).order_by("pk")
    # All their versions in one query, oldest first: not one query (or two) an offer.
    chains = Prefetch("versions", queryset=OfferVersion.objects.order_by("number"))
    for offer in live.prefetch_related(chains):
        version = list(offer.versions.all())[-1]
        concessions = version.seller_concessions or Decimal(0)
        net = version.price - concessions - version.price * commission_rate - closing_costs
        rows.append({"offer": offer, "version": version, "net_to_seller": money(net)})
    return sorted(rows, key=lambda r: r["net_to_seller"], reverse=True)
