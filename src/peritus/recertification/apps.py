from django.apps import AppConfig


class RecertificationConfig(AppConfig):
    name = "peritus.recertification"
    label = "recertification"
    verbose_name = "Surveillance and recertification"
