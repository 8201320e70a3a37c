from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "rallypoynt.journeys"
    label = "journeys"
    verbose_name = "Client journeys and pipeline"

    def ready(self) -> None:
        from rallypoynt.contacts.panels import CONTACT_PANELS
        from rallypoynt.core.events import event_subscribe
        from rallypoynt.core.housekeeping import chore_register
        from rallypoynt.core.panels import Panel
        from rallypoynt.journeys.selectors import contact_engagements_panel
        from rallypoynt.journeys.services.client_work import OPENED, PROFILE_COMPLETED
        from rallypoynt.journeys.services.engagements import LEAD_EVENTS
        from rallypoynt.journeys.services.outcomes import wrap_ups_due
        from rallypoynt.journeys.tasks import (
            engagement_open_for_lead,
            engagement_replay_profile,
            engagements_follow_profile,
        )

        # Lead intake (contacts) knows nothing of journeys: it emits, journeys reacts.
        for kind in (*LEAD_EVENTS, "lead.responded"):
            event_subscribe(kind, engagement_open_for_lead)
        # A completed buyer or seller profile (contacts) is the needs assessment.
        event_subscribe(PROFILE_COMPLETED, engagements_follow_profile)
        event_subscribe(OPENED, engagement_replay_profile)
        chore_register("journeys.wrap_ups", wrap_ups_due)
        # The contact page lists the person's engagements (contacts never imports us).
        CONTACT_PANELS.register(
            Panel(
                "engagements",
                "journeys/_contact_engagements.html",
                contact_engagements_panel,
                position=10,
            )
        )
