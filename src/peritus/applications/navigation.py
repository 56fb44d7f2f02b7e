"""Menu entries for applications, shown only to those who may use them."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.selectors import (
    count_by_status,
    list_pending_accommodations,
    visible_scheme_ids,
)


@dataclasses.dataclass(frozen=True)
class NavLink:
    """Shaped like `web.navigation.NavLink`; defined here because this app sits below `web`."""

    label: str
    url: str
    order: int = 100
    badge: int | None = None


def office_links(user: Any) -> list[NavLink]:
    links: list[NavLink] = []
    if user.has_perm("applications.view_application_queue"):
        counts = count_by_status(scheme_ids=visible_scheme_ids(user))
        links.append(
            NavLink(
                _("Applications"),
                reverse("applications:office-queue"),
                order=20,
                badge=counts[ApplicationStatus.SUBMITTED] or None,
            )
        )
    if user.has_perm("applications.view_accommodations"):
        pending = list_pending_accommodations(
            scheme_ids=visible_scheme_ids(user, roles=("eligibility_reviewer",))
        ).count()
        links.append(
            NavLink(
                _("Accommodations"),
                reverse("applications:office-accommodation-queue"),
                order=21,
                badge=pending or None,
            )
        )
    return links


def portal_links(user: Any) -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    # Drafts to finish and questions to answer: what the candidate must do next.
    waiting = Application.objects.filter(
        person__user=user,
        status__in=(ApplicationStatus.DRAFT, ApplicationStatus.MORE_INFORMATION_REQUESTED),
    ).count()
    return [
        NavLink(
            _("My applications"),
            reverse("applications:portal-application-list"),
            order=10,
            badge=waiting or None,
        )
    ]
