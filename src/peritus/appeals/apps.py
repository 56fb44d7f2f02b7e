from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "peritus.appeals"
    label = "appeals"
    verbose_name = "Appeals"
