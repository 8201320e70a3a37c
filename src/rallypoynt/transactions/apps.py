from django.apps import AppConfig


class TransactionsConfig(AppConfig):
    name = "rallypoynt.transactions"
    label = "transactions"
    verbose_name = "Transactions"

    def ready(self) -> None:
        from rallypoynt.contacts.panels import CONTACT_PANELS
        from rallypoynt.core.housekeeping import chore_register
        from rallypoynt.core.panels import Panel
        from rallypoynt.journeys.panels import ENGAGEMENT_PANELS
        from rallypoynt.transactions.selectors import contact_deals_panel, engagement_deals_panel
        from rallypoynt.transactions.services.reminders import deadline_notices_send

        # The engagement page shows the deals serving it (journeys never imports us).
        ENGAGEMENT_PANELS.register(
            Panel("deals", "transactions/_engagement_deals.html", engagement_deals_panel)
        )
        # The contact page shows the person's deals, after their engagements.
        CONTACT_PANELS.register(
            Panel("deals", "transactions/_contact_deals.html", contact_deals_panel, position=20)
        )
        # Hourly: reminders before deadlines, alerts after the ones left open.
        chore_register("transactions.deadline_notices", deadline_notices_send)
