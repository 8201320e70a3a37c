"""The recorded events that prove a journey step or deliverable done (a template's `done_by`).

Each names work the system saw happen; a step no event can prove stays for a person to tick.
The words say, on the engagement page, what did it.
"""

from __future__ import annotations

WORK_EVENTS: dict[str, str] = {
    "lead.received": "the lead was captured",
    "lead.responded": "the first response to the lead",
    "offer.submitted": "an offer was submitted",
    "offer.accepted": "the accepted offer",
    "transaction.contingencies_cleared": "every contingency resolved",
    "checklist.due_diligence_completed": "the due diligence checklist completed",
    "checklist.pre_closing_completed": "the pre-closing checklist completed",
    "checklist.closing_completed": "the closing coordination checklist completed",
    "progress_update.posted": "a progress update to the clients",
    "walkthrough.cleared": "the final walk-through found everything in order",
    "transaction.closed": "the closing",
    "engagement.wrap_up_elapsed": "the wrap-up period after closing ended",
}


def work_label(kind: str) -> str:
    """How the engagement page says what did a step ('the accepted offer')."""
    return WORK_EVENTS.get(kind, kind)
