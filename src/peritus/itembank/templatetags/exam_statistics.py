"""Filters for the exam statistics pages: figures that may be undefined (null in the report)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()

MISSING = "—"


@register.filter
def num(value: Any, digits: int = 3) -> str:
    """A figure with `digits` decimals, or a dash when the report has none."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return number_format(value)
    try:
        return number_format(float(value), decimal_pos=int(digits))
    except (TypeError, ValueError):
        return str(value)


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    """A proportion (0..1) as a percentage."""
    if value is None or value == "":
        return MISSING
    try:
        return f"{number_format(100.0 * float(value), decimal_pos=int(digits))} %"
    except (TypeError, ValueError):
        return MISSING


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """`mapping[key]`, or None."""
    if isinstance(mapping, Mapping):
        return mapping.get(key, mapping.get(str(key)))
    return None
