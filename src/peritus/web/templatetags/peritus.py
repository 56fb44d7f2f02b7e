from __future__ import annotations

from typing import Any

from django import template

from peritus.core.navigation import NavLink
from peritus.web.navigation import office_links, portal_links

register = template.Library()


@register.simple_tag(takes_context=True)
def office_navigation(context: dict[str, Any]) -> list[NavLink]:
    return office_links(context["request"].user)


@register.simple_tag(takes_context=True)
def portal_navigation(context: dict[str, Any]) -> list[NavLink]:
    return portal_links(context["request"].user)


@register.filter
def startswith(value: str, prefix: str) -> bool:
    return str(value).startswith(str(prefix))


@register.inclusion_tag("web/history.html")
def record_history(record: Any, history_id: str = "record") -> dict[str, Any]:
    """The audit trail of one record, oldest first, each event with its human sentence."""
    from peritus.audit_trail.selectors import list_events_for, sentence_for

    events = list(list_events_for(record))
    for event in events:
        event.sentence = sentence_for(event)  # type: ignore[attr-defined]
    return {"events": events, "history_id": history_id}
