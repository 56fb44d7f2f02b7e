from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peritus.core"
    label = "core"
    verbose_name = "Core"
