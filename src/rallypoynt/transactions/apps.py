from django.apps import AppConfig


class TransactionsConfig(AppConfig):
    name = "rallypoynt.transactions"
    label = "transactions"
    verbose_name = "Transactions"
