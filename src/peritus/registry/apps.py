from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "peritus.registry"
    label = "registry"
    verbose_name = "Public register and verification"
