from django.apps import AppConfig


class ItembankConfig(AppConfig):
    name = "peritus.itembank"
    label = "itembank"
    verbose_name = "Item bank"
