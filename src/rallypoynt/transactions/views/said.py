"""What the deal page says after each button: what happened, in the agent's words."""

from __future__ import annotations

from rallypoynt.core.amounts import money_text
from rallypoynt.core.timefmt import day_text, due_text
from rallypoynt.transactions.choices import DeadlineStatus
from rallypoynt.transactions.models import Deadline, Deal, Offer, Party

RESOLVED_WORDS = {
    DeadlineStatus.SATISFIED: "removed",
    DeadlineStatus.WAIVED: "waived",
    DeadlineStatus.FAILED: "marked failed",
}


def deadline_added(row: Deadline) -> str:
    due = f", due {due_text(row.due_at, row.org.time_zone)}" if row.due_at else ""
    return f"{row.name} added{due}."


def deadline_resolved(row: Deadline) -> str:
    word = RESOLVED_WORDS.get(DeadlineStatus(row.status), row.get_status_display().lower())
    return f"{row.name} {word}."


def dates_amended(moved: list[Deadline]) -> str:
    count = len(moved)
    return f"Contract dates amended; {count} deadline{'' if count == 1 else 's'} recounted."


def offer_recorded(offer: Offer) -> str:
    return f"Offer from {offer.buyer_name} recorded."


def offer_accepted(offer: Offer) -> str:
    price = money_text(offer.deal.contract_price)
    return (
        f"Offer from {offer.buyer_name} accepted: under contract{f' at {price}' if price else ''}."
    )


def party_added(party: Party) -> str:
    return f"{party.name} added to the team contact list as {party.get_role_display().lower()}."


def closing_recorded(deal: Deal) -> str:
    closed = day_text(deal.closed_on, year=True) if deal.closed_on else ""
    return f"Closing recorded: {money_text(deal.final_price)} on {closed}."


def contract_terminated(deal: Deal) -> str:
    return f"Contract terminated: {deal.terminated_reason}"
