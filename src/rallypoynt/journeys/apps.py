from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "rallypoynt.journeys"
    label = "journeys"
    verbose_name = "Client journeys and pipeline"

    def ready(self) -> None:
        from rallypoynt.core.events import event_subscribe
        from rallypoynt.core.housekeeping import chore_register
        from rallypoynt.journeys.services.engagements import LEAD_EVENTS
        from rallypoynt.journeys.services.outcomes import wrap_ups_due
        from rallypoynt.journeys.tasks import engagement_open_for_lead

        # Lead intake (contacts) knows nothing of journeys: it emits, journeys reacts.
        for kind in (*LEAD_EVENTS, "lead.responded"):
            event_subscribe(kind, engagement_open_for_lead)
        chore_register("journeys.wrap_ups", wrap_ups_due)
