"""Navigation by role. Each Django app may offer links in its own `navigation.py`:

    def office_links(user) -> list[NavLink]: ...
    def portal_links(user) -> list[NavLink]: ...

Links are shown only when the app says the user may use them, so menus follow the rules.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.core.navigation import NavLink


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
    links = _collect("office_links", user)
    if user.has_perm("audit_trail.view_events"):
        links.append(NavLink(_("Audit trail"), reverse("web:audit-trail"), order=980))
    return sorted(links, key=lambda link: (link.order, link.label))


def portal_links(user: Any) -> list[NavLink]:
    return _collect("portal_links", user)
