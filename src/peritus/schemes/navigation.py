"""Menu entries for schemes, shown only to those who may use them."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _


@dataclasses.dataclass(frozen=True)
class NavLink:
    """Shaped like `web.navigation.NavLink`; defined here because this app sits below `web`."""

    label: str
    url: str
    order: int = 100
    badge: int | None = None


def office_links(user: Any) -> list[NavLink]:
    if not user.has_perm("schemes.view_office_schemes"):
        return []
    return [NavLink(_("Schemes"), reverse("schemes:office-scheme-list"), order=10)]
