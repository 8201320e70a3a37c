from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rallypoynt.accounts"
    label = "accounts"
    verbose_name = "Accounts"
