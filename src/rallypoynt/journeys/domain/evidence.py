"""The recorded events that prove a journey step or deliverable done (a template's `done_by`).

Each names work the system saw happen; a step no event can prove stays for a person to tick.
The words say, on the engagement page, what did it.
"""

from __future__ import annotations

from functools import lru_cache

from rallypoynt.journeys.domain.blueprint import Blueprint, Deliverable, Phase, Step

WORK_EVENTS: dict[str, str] = {
    "lead.received": "the lead was captured",
    "lead.responded": "the first response to the lead",
    "contact.profile_completed": "the client profile was completed",
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


def _items(phase: Phase) -> tuple[Step | Deliverable, ...]:
    return (*phase.steps, *phase.deliverables)


def _names_events(blueprint: Blueprint) -> bool:
    return any(item.done_by for phase in blueprint.phases for item in _items(phase))


@lru_cache(maxsize=1)
def _shipped() -> dict[tuple[str, str], tuple[str, ...]]:
    """The shipped journey's events by (phase, step or deliverable key)."""
    from rallypoynt.journeys.domain.blueprint_parse import blueprint_load
    from rallypoynt.journeys.domain.levels import shipped_data

    blueprint = blueprint_load(shipped_data("journey"))
    return {
        (phase.key, item.key): item.done_by for phase in blueprint.phases for item in _items(phase)
    }


def done_by(blueprint: Blueprint, phase_key: str, item: Step | Deliverable) -> tuple[str, ...]:
    """The events that complete a step or deliverable. A version stored before templates
    named events (it names none) follows the shipped journey's events for the same keys."""
    if item.done_by or _names_events(blueprint):
        return item.done_by
    return _shipped().get((phase_key, item.key), ())
