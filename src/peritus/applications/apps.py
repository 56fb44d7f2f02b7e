from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "peritus.applications"
    label = "applications"
    verbose_name = "Applications and eligibility"
