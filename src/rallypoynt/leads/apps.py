from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "rallypoynt.leads"
    label = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        from rallypoynt.contacts.selectors import timeline_source_add
        from rallypoynt.core.events import event_handle
        from rallypoynt.core.housekeeping import chore_register
        from rallypoynt.leads.models import LeadSettings, RoutingRule
        from rallypoynt.leads.selectors.timeline import INQUIRIES
        from rallypoynt.leads.services.idempotency import idempotency_keys_prune
        from rallypoynt.leads.services.sla import first_response_on_touchpoint
        from rallypoynt.orgs.config_cache import config_watch

        config_watch(LeadSettings, RoutingRule)
        chore_register("leads.idempotency_keys", idempotency_keys_prune)
        # A member's call or e-mail answers the person's waiting leads, in the same transaction.
        event_handle("touchpoint.logged", first_response_on_touchpoint)
        timeline_source_add(INQUIRIES)
