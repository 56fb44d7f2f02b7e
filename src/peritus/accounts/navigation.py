from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.accounts.selectors import is_staff_member
from peritus.core.navigation import NavLink


def office_links(user: Any) -> list[NavLink]:
    links = []
    if user.has_perm("accounts.view_personnel"):
        links.append(NavLink(_("Personnel"), reverse("accounts:personnel"), order=900))
    if is_staff_member(user):
        links.append(NavLink(_("API tokens"), reverse("accounts:api-tokens"), order=950))
    return links


def portal_links(user: Any) -> list[NavLink]:
    if not user.is_authenticated:
        return []
    return [NavLink(_("API tokens"), reverse("accounts:portal-api-tokens"), order=990)]
