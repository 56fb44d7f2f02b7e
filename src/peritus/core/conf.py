"""Reading the PERITUS settings dictionary (config/settings.py) with one typed accessor."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def peritus_setting(name: str) -> Any:
    """settings.PERITUS[name]; a missing name is a configuration bug and raises KeyError."""
    value: Any = settings.PERITUS[name]
    return value
