from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "peritus.compliance"
    label = "compliance"
    verbose_name = "Compliance and evidence"
