"""The CRM stage of an engagement's clients follows the journey: answered, a lead becomes a
prospect; with a signed service agreement, a client (closing makes them past clients)."""

from __future__ import annotations

from rallypoynt.contacts.choices import Stage
from rallypoynt.contacts.models import Contact
from rallypoynt.core.events import event_emit
from rallypoynt.journeys.models import Engagement, EngagementContact
from rallypoynt.orgs.models import Membership

# The step whose completion makes the engagement's clients this stage.
STAGE_BY_STEP = {"initial_response": Stage.PROSPECT, "service_agreement": Stage.CLIENT}
# Which stages each may replace: never back down (a client stays a client when answered).
REPLACES = {
    Stage.PROSPECT: (Stage.LEAD, Stage.SPHERE),
    Stage.CLIENT: (Stage.LEAD, Stage.SPHERE, Stage.PROSPECT, Stage.PAST_CLIENT),
}


def clients_stage_follow(
    engagement: Engagement, step_keys: list[str], actor: Membership | None
) -> int:
    """Move the clients on for the steps just done; returns how many contacts moved."""
    stages = [STAGE_BY_STEP[key] for key in step_keys if key in STAGE_BY_STEP]
    if not stages:
        return 0
    target = Stage.CLIENT if Stage.CLIENT in stages else stages[0]
    ids = EngagementContact.objects.filter(
        org_id=engagement.org_id, engagement=engagement
    ).values_list("contact_id", flat=True)
    moved = 0
    rows = Contact.objects.select_for_update().filter(
        org_id=engagement.org_id, pk__in=list(ids), stage__in=REPLACES[target]
    )
    for contact in rows.order_by("pk"):
        before, contact.stage = contact.stage, target
        contact.save(update_fields=["stage", "updated_at"])
        event_emit(
            org_id=contact.org_id,
            kind="contact.stage_changed",
            subject=contact,
            actor_id=actor.user_id if actor else None,
            payload={"from": before, "to": target, "engagement_id": engagement.pk},
        )
        moved += 1
    return moved
