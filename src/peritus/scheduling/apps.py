from typing import override

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "peritus.scheduling"
    label = "scheduling"
    verbose_name = "Scheduled jobs"

    @override
    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
