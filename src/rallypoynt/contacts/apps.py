from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "rallypoynt.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from rallypoynt.contacts.models import LeadSettings, RoutingRule
        from rallypoynt.orgs.config_cache import config_watch

        config_watch(LeadSettings, RoutingRule)
