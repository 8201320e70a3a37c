from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "rallypoynt.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from rallypoynt.contacts.models import LeadSettings, RoutingRule
        from rallypoynt.contacts.services.csv_import.tidy import (
            import_jobs_interrupted_close,
            import_uploads_expire,
        )
        from rallypoynt.contacts.services.idempotency import idempotency_keys_prune
        from rallypoynt.core.housekeeping import chore_register
        from rallypoynt.orgs.config_cache import config_watch

        config_watch(LeadSettings, RoutingRule)
        chore_register("contacts.idempotency_keys", idempotency_keys_prune)
        chore_register("contacts.interrupted_imports", import_jobs_interrupted_close)
        chore_register("contacts.import_uploads", import_uploads_expire)
