"""Menu entries for assessments, shown only to those who may use them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.core.navigation import NavLink
from peritus.exams.selectors import count_results_awaiting_release


def office_links(user: Any) -> list[NavLink]:
    waiting = count_results_awaiting_release(user) if user.has_perm("exams.schedule_event") else 0
    links = []
    if user.has_perm("exams.view_events"):
        links.append(
            NavLink(_("Assessments"), reverse("exams:event-list"), order=40, badge=waiting or None)
        )
    elif user.has_perm("exams.view_sessions"):
        # Psychometricians validate keys without seeing the events; the others reach the
        # sessions from the assessments list.
        links.append(NavLink(_("Exam sessions"), reverse("exams:session-list"), order=41))
    return links


def portal_links(user: Any) -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        NavLink(_("My assessments"), reverse("exams:portal-assessments"), order=30),
        NavLink(_("Online exams"), reverse("exams:portal-exams"), order=31),
    ]
