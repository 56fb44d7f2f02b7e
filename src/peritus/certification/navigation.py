"""Menu entries for decisions and certificates, shown only to those who may use them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.core.navigation import NavLink


def office_links(user: Any) -> list[NavLink]:
    links = []
    if user.has_perm("certification.list_decisions"):
        links.append(NavLink(_("Decisions"), reverse("certification:decision-queue"), order=50))
    if user.has_perm("certification.list_certificates"):
        links.append(
            NavLink(_("Certificates"), reverse("certification:certificate-list"), order=55)
        )
    if user.has_perm("certification.decide_lifecycle"):
        links.append(NavLink(_("Suspensions"), reverse("certification:suspension-list"), order=56))
    if user.has_perm("certification.list_bulk_operations"):
        links.append(NavLink(_("Bulk operations"), reverse("certification:bulk-list"), order=57))
    return links


def portal_links(user: Any) -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [NavLink(_("My certificates"), reverse("certification:portal-certificates"), order=40)]
