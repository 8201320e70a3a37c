from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rallypoynt.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from rallypoynt.core.search import sqlite_functions_register

        # Before any connection opens (migrations included): the search triggers call them.
        connection_created.connect(sqlite_functions_register, dispatch_uid="rp_search_functions")
