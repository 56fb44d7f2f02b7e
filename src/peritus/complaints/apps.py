from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "peritus.complaints"
    label = "complaints"
    verbose_name = "Complaints"
