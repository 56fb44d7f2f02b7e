from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "peritus.exams"
    label = "exams"
    verbose_name = "Examinations"
