from __future__ import annotations

from typing import Any

from django import template

from peritus.web.navigation import NavLink, office_links, portal_links

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
