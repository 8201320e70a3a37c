from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rallypoynt.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from rallypoynt.accounts.services import login_attempts_prune
        from rallypoynt.core.housekeeping import chore_register

        chore_register("accounts.login_attempts", login_attempts_prune)
