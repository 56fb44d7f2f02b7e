"""Back-office menu entries of the corrective action register, shown only to those who may use them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.core.navigation import NavLink
from peritus.qms.selectors import count_overdue_corrective_actions, list_steps_of


def office_links(user: Any) -> list[NavLink]:
    links: list[NavLink] = []
    if user.has_perm("qms.view_register"):
        overdue = count_overdue_corrective_actions()
        links.append(
            NavLink(
                _("Corrective actions"),
                reverse("qms:corrective-action-list"),
                order=85,
                badge=overdue or None,
            )
        )
    elif getattr(user, "is_authenticated", False):
        waiting = list_steps_of(user).count()
        if waiting:
            links.append(
                NavLink(
                    _("My corrective actions"),
                    reverse("qms:corrective-action-mine"),
                    order=85,
                    badge=waiting,
                )
            )
    return links
