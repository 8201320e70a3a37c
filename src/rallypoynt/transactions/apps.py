from django.apps import AppConfig


class TransactionsConfig(AppConfig):
    name = "rallypoynt.transactions"
    label = "transactions"
    verbose_name = "Transactions"

    def ready(self) -> None:
        from rallypoynt.core.housekeeping import chore_register
        from rallypoynt.transactions.services.reminders import deadline_notices_send

        # Hourly: reminders before deadlines, alerts after the ones left open.
        chore_register("transactions.deadline_notices", deadline_notices_send)
