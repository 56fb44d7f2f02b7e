"""Menu entries of complaint handling, shown only to those who may use them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.complaints.selectors import (
    count_overdue_complaints,
    list_complaints_handled_by,
    list_open_suspension_proposals,
)
from peritus.core.navigation import NavLink


def office_links(user: Any) -> list[NavLink]:
    links: list[NavLink] = []
    if user.has_perm("complaints.view_register"):
        links.append(
            NavLink(
                _("Complaints"),
                reverse("complaints:complaint-list"),
                order=80,
                badge=count_overdue_complaints() or None,
            )
        )
    elif getattr(user, "is_authenticated", False):
        handled = list_complaints_handled_by(user).count()
        if handled:
            links.append(
                NavLink(_("Complaints"), reverse("complaints:complaint-list"), 80, handled)
            )
    if user.has_perm("complaints.decide_suspension"):
        waiting = list_open_suspension_proposals().count()
        if waiting:
            links.append(
                NavLink(
                    _("Proposed suspensions"),
                    reverse("complaints:proposal-list"),
                    order=81,
                    badge=waiting,
                )
            )
    return links


def portal_links(user: Any) -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [NavLink(_("My complaints"), reverse("complaints:portal-complaint-list"), order=95)]
