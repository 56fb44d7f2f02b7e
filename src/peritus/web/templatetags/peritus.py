from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

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


@register.filter(is_safe=True)
def page_title(value: str, body_name: str) -> SafeString:
    """'<page> · <body>' in the browser's tab, or the body's name alone on a page with no title.
    `value` is the rendered (escaped) title block; the body's name is escaped here."""
    title = str(value).strip()
    body = conditional_escape(body_name)
    return mark_safe(f"{title} · {body}" if title else str(body))  # noqa: S308 - both escaped


@register.inclusion_tag("web/history.html")
def record_history(record: Any, history_id: str = "record") -> dict[str, Any]:
    """The audit trail of one record, oldest first, each event with its human sentence."""
    from peritus.audit_trail.selectors import list_events_for, sentence_for

    events = list(list_events_for(record))
    for event in events:
        event.sentence = sentence_for(event)  # type: ignore[attr-defined]
    return {"events": events, "history_id": history_id}
