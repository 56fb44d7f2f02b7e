"""Human sentences for event types, collected from every app's `events.py` (pretix's logentry_display)."""

from __future__ import annotations

import functools
import importlib

from django.apps import apps
from django.db import models


@functools.cache
def event_sentences() -> dict[str, str]:
    sentences: dict[str, str] = {}
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("peritus."):
            continue
        try:
            module = importlib.import_module(f"{app_config.name}.events")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, models.TextChoices):
                for choice in value:
                    sentences[choice.value] = str(choice.label)
    return sentences


def describe(event_type: str) -> str:
    return event_sentences().get(event_type, event_type)
