from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peritus.accounts"
    label = "accounts"
    verbose_name = "Accounts and personnel"
