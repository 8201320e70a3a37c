"""Offers and counteroffers: a chain of versions per buyer; accepting one makes it the contract.

Each counter is a new version carrying every term (so any two can be compared); an offer
expires on time by itself (a job), and acceptance sets the contract terms, counts the
contingency deadlines from today and moves the engagements into Transaction Management.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction as db_transaction
from django.utils import timezone

from rallypoynt.core.audit import audit_record
from rallypoynt.core.errors import Conflict, NotFound, ServiceError, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.core.jobs import enqueue_on_commit
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import (
    CONTINGENCIES,
    OFFER_LIVE,
    Financing,
    OfferStatus,
    TransactionStatus,
)
from rallypoynt.transactions.models import Offer, OfferVersion, Transaction
from rallypoynt.transactions.services.deadlines import deadlines_recompute, transaction_for_update

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


def _money(value: Any, name: str, errors: dict) -> Decimal | None:
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


def _contingencies(value: Any, errors: dict) -> list[dict]:
    rows = []
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


def terms_clean(terms: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Every term checked at once; ValidationFailed names each bad one."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(terms) - set(TERMS))
    for name in unknown:
        errors[name] = ["unknown term"]
    clean = {name: _money(terms.get(name), name, errors) for name in MONEY_TERMS}
    if clean["price"] is None and "price" not in errors:
        errors["price"] = ["required"]
    financing = terms.get("financing") or Financing.CONVENTIONAL
    if financing not in Financing.values:
        errors["financing"] = [f"one of {', '.join(Financing.values)}"]
    expires_at = terms.get("expires_at")
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = ["in the future"]
    clean.update(
        financing=financing,
        contingencies=_contingencies(terms.get("contingencies"), errors),
        closing_on=terms.get("closing_on"),
        inclusions=str(terms.get("inclusions") or ""),
        exclusions=str(terms.get("exclusions") or ""),
        expires_at=expires_at,
    )
    if errors:
        raise ValidationFailed("The offer's terms are not valid.", fields=errors)
    return clean


def terms_of(version: OfferVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in TERMS}


def terms_diff(older: OfferVersion, newer: OfferVersion) -> dict[str, list]:
    """{term: [before, after]} for every term the newer version changed."""
    a, b = terms_of(older), terms_of(newer)
    return {name: [_plain(a[name]), _plain(b[name])] for name in TERMS if a[name] != b[name]}


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | float | str | list | None) else str(value)


def _latest(offer: Offer) -> OfferVersion:
    return offer.versions.order_by("-number").first()


def _offer_for_update(actor: Membership, offer_id: int) -> tuple[Offer, Transaction]:
    offer = Offer.objects.filter(org_id=actor.org_id, pk=offer_id).first()
    if offer is None:
        raise NotFound("No such offer.")
    deal = transaction_for_update(actor, offer.transaction_id)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    return offer, deal


def _record(offer: Offer, actor: Membership | None, kind: str, **payload) -> None:
    actor_user = actor.user_id if actor else None
    audit_record(
        org_id=offer.org_id, actor_id=actor_user, action=kind, target=offer, changes=payload
    )
    event_emit(
        org_id=offer.org_id,
        kind=kind,
        subject=offer,
        actor_id=actor_user,
        payload={"transaction_id": offer.transaction_id, **payload},
    )


def _expiry_schedule(version: OfferVersion) -> None:
    if version.expires_at is None:
        return
    from rallypoynt.transactions.tasks import offer_expire

    enqueue_on_commit(offer_expire, version.pk, when=version.expires_at)


@db_transaction.atomic
def offer_create(
    *,
    actor: Membership,
    transaction_id: int,
    buyer_name: str,
    terms: dict[str, Any],
    buyer_agent: str = "",
    is_submitted: bool = True,
) -> Offer:
    """A buyer's first offer on the deal (submitted unless saved as a draft)."""
    deal = transaction_for_update(actor, transaction_id)
    if deal.status not in (TransactionStatus.OFFER,):
        raise Conflict("This deal is past the offer stage.", fields={"status": [deal.status]})
    if not buyer_name.strip():
        raise ValidationFailed("Who is the buyer?", fields={"buyer_name": ["required"]})
    now = timezone.now()
    clean = terms_clean(terms, now=now)
    status = OfferStatus.SUBMITTED if is_submitted else OfferStatus.DRAFT
    offer = Offer.objects.create(
        org_id=actor.org_id,
        transaction=deal,
        status=status,
        buyer_name=buyer_name.strip()[:200],
        buyer_agent=buyer_agent.strip()[:200],
    )
    version = OfferVersion.objects.create(
        org_id=actor.org_id,
        offer=offer,
        number=1,
        proposed_by="buy",
        status=status,
        submitted_at=now if is_submitted else None,
        created_by=actor,
        **clean,
    )
    if is_submitted:
        _expiry_schedule(version)
    _record(offer, actor, "offer.created", status=status, price=str(version.price))
    return offer


@db_transaction.atomic
def offer_counter(
    *, actor: Membership, offer_id: int, changes: dict[str, Any], proposed_by: str
) -> OfferVersion:
    """Answer the live version with a counter: the terms it changes, the rest carried over."""
    offer, _ = _offer_for_update(actor, offer_id)
    current = _latest(offer)
    if offer.status != OfferStatus.SUBMITTED:
        raise Conflict(
            f"This offer is {offer.get_status_display().lower()}.",
            fields={"status": [offer.status]},
        )
    if proposed_by not in ("buy", "sell") or proposed_by == current.proposed_by:
        raise ValidationFailed(
            "A counter comes from the other side.",
            fields={"proposed_by": ["the side that received the offer"]},
        )
    now = timezone.now()
    merged = {**terms_of(current), **changes}
    if "expires_at" not in changes:
        merged["expires_at"] = None  # a counter sets its own deadline or none
    clean = terms_clean(merged, now=now)
    current.status, current.decided_at = OfferStatus.COUNTERED, now
    current.save(update_fields=["status", "decided_at", "updated_at"])
    version = OfferVersion.objects.create(
        org_id=offer.org_id,
        offer=offer,
        number=current.number + 1,
        proposed_by=proposed_by,
        status=OfferStatus.SUBMITTED,
        submitted_at=now,
        created_by=actor,
        **clean,
    )
    _expiry_schedule(version)
    _record(
        offer, actor, "offer.countered", number=version.number, changes=terms_diff(current, version)
    )
    return version


@db_transaction.atomic
def offer_submit(*, actor: Membership, offer_id: int) -> Offer:
    """Send a draft offer."""
    offer, _ = _offer_for_update(actor, offer_id)
    version = _latest(offer)
    if offer.status != OfferStatus.DRAFT:
        raise Conflict("Only a draft can be submitted.", fields={"status": [offer.status]})
    now = timezone.now()
    if version.expires_at and version.expires_at <= now:
        raise ValidationFailed("It would expire at once.", fields={"expires_at": ["in the past"]})
    offer.status = version.status = OfferStatus.SUBMITTED
    version.submitted_at = now
    version.save(update_fields=["status", "submitted_at", "updated_at"])
    offer.save(update_fields=["status", "updated_at"])
    _expiry_schedule(version)
    _record(offer, actor, "offer.submitted", number=version.number)
    return offer


def _close(offer: Offer, version: OfferVersion, status: str, now: datetime) -> None:
    offer.status = version.status = status
    version.decided_at = now
    version.save(update_fields=["status", "decided_at", "updated_at"])
    offer.save(update_fields=["status", "updated_at"])


@db_transaction.atomic
def offer_decide(*, actor: Membership, offer_id: int, decision: str) -> Offer:
    """Reject or withdraw a live offer, or accept it (see offer_accept)."""
    if decision == OfferStatus.ACCEPTED:
        return offer_accept(actor=actor, offer_id=offer_id)
    if decision not in (OfferStatus.REJECTED, OfferStatus.WITHDRAWN):
        raise ValidationFailed(
            "Accept, reject or withdraw?", fields={"decision": ["accepted, rejected or withdrawn"]}
        )
    offer, _ = _offer_for_update(actor, offer_id)
    if offer.status not in OFFER_LIVE:
        raise Conflict(
            f"This offer is {offer.get_status_display().lower()}.",
            fields={"status": [offer.status]},
        )
    _close(offer, _latest(offer), decision, timezone.now())
    _record(offer, actor, f"offer.{decision}")
    return offer


@db_transaction.atomic
def offer_accept(*, actor: Membership, offer_id: int) -> Offer:
    """The live version becomes the contract: price, earnest money, closing date, accepted
    today; its contingencies become deadlines; every other live offer on the deal is
    rejected; the engagements move on to Transaction Management when their gate allows."""
    offer, deal = _offer_for_update(actor, offer_id)
    version = _latest(offer)
    now = timezone.now()
    if offer.status != OfferStatus.SUBMITTED:
        raise Conflict(
            f"This offer is {offer.get_status_display().lower()}.",
            fields={"status": [offer.status]},
        )
    if version.expires_at and version.expires_at <= now:
        raise Conflict("This offer has expired.", fields={"expires_at": ["passed"]})
    _close(offer, version, OfferStatus.ACCEPTED, now)
    for other in (
        Offer.objects.select_for_update()
        .filter(org_id=deal.org_id, transaction=deal, status__in=OFFER_LIVE)
        .exclude(pk=offer.pk)
    ):
        _close(other, _latest(other), OfferStatus.REJECTED, now)
        _record(other, actor, "offer.rejected", reason="another offer was accepted")
    _contract(deal, version, now)
    _contingency_deadlines(deal, version, actor)
    _record(offer, actor, "offer.accepted", number=version.number, price=str(version.price))
    _journeys_advance(deal, actor)
    return offer


def _contract(deal: Transaction, version: OfferVersion, now: datetime) -> None:
    deal.status = TransactionStatus.UNDER_CONTRACT
    deal.offer_price = deal.offer_price or _first_price(version)
    deal.contract_price, deal.earnest_money = version.price, version.earnest_money
    deal.closing_on = version.closing_on or deal.closing_on
    deal.accepted_on = timezone.localdate(now, timezone=_zone(deal))
    deal.save()


def _first_price(version: OfferVersion) -> Decimal:
    return version.offer.versions.order_by("number").values_list("price", flat=True).first()


def _zone(deal: Transaction):
    from zoneinfo import ZoneInfo

    return ZoneInfo(deal.org.time_zone)


def _contingency_deadlines(deal: Transaction, version: OfferVersion, actor: Membership) -> None:
    from rallypoynt.transactions.choices import DeadlineKind
    from rallypoynt.transactions.models import Deadline

    Deadline.objects.bulk_create(
        Deadline(
            org_id=deal.org_id,
            transaction=deal,
            kind=row["kind"],
            name=DeadlineKind(row["kind"]).label,
            is_contingency=True,
            anchor="acceptance",
            amount=row["days"],
            day_type=row["day_type"],
            roll="next_business_day",
        )
        for row in version.contingencies
    )
    deadlines_recompute(deal=deal, actor=actor, reason="Offer accepted")


def _journeys_advance(deal: Transaction, actor: Membership) -> None:
    """Engagements in Transaction Initiation move on; a gate that still holds is recorded."""
    from rallypoynt.journeys.services.progress import phase_advance

    for side in deal.sides.select_related("engagement"):
        engagement = side.engagement
        if engagement.phase_key != "transaction_initiation":
            continue
        try:
            with db_transaction.atomic():
                phase_advance(actor=actor, engagement_id=engagement.pk)
        except ServiceError as exc:
            event_emit(
                org_id=deal.org_id,
                kind="engagement.advance_waiting",
                subject=engagement,
                actor_id=actor.user_id,
                payload={"transaction_id": deal.pk, "reason": exc.message},
            )


def offer_expire(*, version_id: int, now: datetime | None = None) -> str:
    """Expire a submitted version whose time passed (safe to run twice or early)."""
    now = now or timezone.now()
    with db_transaction.atomic():
        version = (
            OfferVersion.objects.select_for_update()
            .select_related("offer")
            .filter(pk=version_id)
            .first()
        )
        if version is None:
            return "missing"
        if version.status != OfferStatus.SUBMITTED:
            return version.status
        if version.expires_at is None or now < version.expires_at:
            return "not_due"
        offer = Offer.objects.select_for_update().get(pk=version.offer_id)
        _close(offer, version, OfferStatus.EXPIRED, now)
        _record(offer, None, "offer.expired", number=version.number)
    return "expired"


def offers_compare(
    deal: Transaction, *, commission_rate: Decimal, closing_costs: Decimal
) -> list[dict[str, Any]]:
    """Every live or accepted offer's latest terms side by side, with net to seller (price
    less concessions, commission at `commission_rate` and other closing costs)."""
    rows = []
    for offer in deal.offers.exclude(status__in=[OfferStatus.WITHDRAWN]).order_by("pk"):
        version = _latest(offer)
        concessions = version.seller_concessions or Decimal(0)
        net = version.price - concessions - version.price * commission_rate - closing_costs
        rows.append(
            {"offer": offer, "version": version, "net_to_seller": net.quantize(Decimal("0.01"))}
        )
    return sorted(rows, key=lambda r: r["net_to_seller"], reverse=True)
