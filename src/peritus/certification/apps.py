from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "peritus.certification"
    label = "certification"
    verbose_name = "Certification"
