from django.apps import AppConfig


class TransactionsConfig(AppConfig):
    name = "rallypoynt.transactions"
    label = "transactions"
    verbose_name = "Transactions"

    def ready(self) -> None:
        from rallypoynt.core.housekeeping import chore_register
        from rallypoynt.journeys.panels import Panel, engagement_panel_register
        from rallypoynt.transactions.selectors import engagement_deals_panel
        from rallypoynt.transactions.services.reminders import deadline_notices_send

        # The engagement page shows the deals serving it (journeys never imports us).
        engagement_panel_register(
            Panel("deals", "transactions/_engagement_deals.html", engagement_deals_panel)
        )
        # Hourly: reminders before deadlines, alerts after the ones left open.
        chore_register("transactions.deadline_notices", deadline_notices_send)
