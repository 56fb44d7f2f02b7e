from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "peritus.web"
    label = "web"
    verbose_name = "Web interface shell"
