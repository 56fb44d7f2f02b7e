"""Menu entries for surveillance and recertification, shown only to those who may use them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.core.navigation import NavLink


def office_links(user: Any) -> list[NavLink]:
    links = []
    if user.has_perm("recertification.list_submissions"):
        links.append(
            NavLink(_("Recertification"), reverse("recertification:office-queue"), order=57)
        )
    if user.has_perm("recertification.set_policy"):
        links.append(
            NavLink(
                _("Recertification rules"), reverse("recertification:office-policies"), order=58
            )
        )
    return links


def portal_links(user: Any) -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [NavLink(_("Renewals and CPD"), reverse("recertification:portal-overview"), order=42)]
