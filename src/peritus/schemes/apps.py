from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "peritus.schemes"
    label = "schemes"
    verbose_name = "Certification schemes"
