"""Navigation by role. Each Django app may offer links in its own `navigation.py`:

    def office_links(user) -> list[NavLink]: ...
    def portal_links(user) -> list[NavLink]: ...

Links are shown only when the app says the user may use them, so menus follow the rules.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

from django.apps import apps


@dataclasses.dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    order: int = 100
    badge: int | None = None


def _collect(function_name: str, user: Any) -> list[NavLink]:
    links: list[NavLink] = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("peritus.") or app_config.label == "web":
            continue
        try:
            module = importlib.import_module(f"{app_config.name}.navigation")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.navigation":
                raise
            continue
        provider = getattr(module, function_name, None)
        if provider is not None:
            links.extend(provider(user))
    return sorted(links, key=lambda link: (link.order, link.label))


def office_links(user: Any) -> list[NavLink]:
    return _collect("office_links", user)


def portal_links(user: Any) -> list[NavLink]:
    return _collect("portal_links", user)
