from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "rallypoynt.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from rallypoynt.contacts.services.csv_import.tidy import (
            import_jobs_interrupted_close,
            import_uploads_expire,
        )
        from rallypoynt.core.housekeeping import chore_register

        chore_register("contacts.interrupted_imports", import_jobs_interrupted_close)
        chore_register("contacts.import_uploads", import_uploads_expire)
