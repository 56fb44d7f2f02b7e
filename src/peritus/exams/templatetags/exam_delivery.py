"""Template filters of exam delivery."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def clock(seconds: Any) -> str:
    """Seconds as H:MM:SS (or M:SS under an hour); an empty string for no value."""
    if seconds is None or seconds == "":
        return ""
    total = max(int(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template (None when absent)."""
    if mapping is None:
        return None
    return mapping.get(key) if hasattr(mapping, "get") else None
