from django.apps import AppConfig


class QmsConfig(AppConfig):
    name = "peritus.qms"
    label = "qms"
    verbose_name = "Quality management"
