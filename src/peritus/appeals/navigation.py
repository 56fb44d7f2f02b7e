"""Menu entries for appeals, shown only to those who may use them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.core.navigation import NavLink


def office_links(user: Any) -> list[NavLink]:
    if not user.has_perm("appeals.list_appeals"):
        return []
    return [NavLink(_("Appeals"), reverse("appeals:appeal-list"), order=70)]


def portal_links(user: Any) -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [NavLink(_("My appeals"), reverse("appeals:portal-appeals"), order=60)]
