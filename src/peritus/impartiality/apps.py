from django.apps import AppConfig


class ImpartialityConfig(AppConfig):
    name = "peritus.impartiality"
    label = "impartiality"
    verbose_name = "Impartiality"
