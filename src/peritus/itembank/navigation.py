"""Menu entry of the item bank, shown only to item authors, reviewers and psychometricians."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.itembank.selectors import is_item_staff


@dataclasses.dataclass(frozen=True)
class NavLink:
    """Shaped like `web.navigation.NavLink`; defined here because this app sits below `web`."""

    label: str
    url: str
    order: int = 100
    badge: int | None = None


def office_links(user: Any) -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    from peritus.itembank.statistics.navigation import statistics_links

    bank = [NavLink(_("Item bank"), reverse("itembank:bank-list"), order=40)]
    return (bank if is_item_staff(user) else []) + statistics_links(user)
