"""Back-office menu entries of the impartiality records, shown only to those who may use them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.core.navigation import NavLink
from peritus.impartiality.selectors import count_conflicts_awaiting_mitigation


def office_links(user: Any) -> list[NavLink]:
    links: list[NavLink] = []
    if user.has_perm("impartiality.declare_interests"):
        links.append(
            NavLink(_("My declarations"), reverse("impartiality:declaration-list-mine"), order=80)
        )
    if user.has_perm("impartiality.view_register"):
        waiting = count_conflicts_awaiting_mitigation()
        links.append(
            NavLink(
                _("Conflicts of interest"),
                reverse("impartiality:declaration-register"),
                order=81,
                badge=waiting or None,
            )
        )
    if user.has_perm("impartiality.view_training_records"):
        links.append(NavLink(_("Trainer links"), reverse("impartiality:training-list"), order=82))
    if user.has_perm("impartiality.view_risk_register"):
        links.append(NavLink(_("Impartiality risks"), reverse("impartiality:risk-list"), order=83))
    return links
