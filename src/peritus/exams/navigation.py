"""Menu entries for assessments, shown only to those who may use them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.core.navigation import NavLink
from peritus.exams.selectors import count_results_awaiting_release


def office_links(user: Any) -> list[NavLink]:
    if not user.has_perm("exams.view_events"):
        return []
    waiting = count_results_awaiting_release(user) if user.has_perm("exams.schedule_event") else 0
    return [NavLink(_("Assessments"), reverse("exams:event-list"), order=40, badge=waiting or None)]


def portal_links(user: Any) -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [NavLink(_("My assessments"), reverse("exams:portal-assessments"), order=30)]
