"""Menu entries of exam statistics (for readers of reviews, with the overdue count) and of
standard setting (for judges, with the rounds awaiting their ratings)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.itembank.navigation import NavLink
from peritus.itembank.statistics.rules import CUT_SCORE_APPROVER_ROLES, REVIEW_READER_ROLES
from peritus.itembank.statistics.selectors import (
    count_overdue_reviews,
    count_rounds_awaiting,
    list_judging_for,
    scheme_ids_with,
)


def statistics_links(user: Any) -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    links = []
    schemes = scheme_ids_with(user, (*REVIEW_READER_ROLES, *CUT_SCORE_APPROVER_ROLES))
    if schemes is None or schemes:
        overdue = count_overdue_reviews(user, today=timezone.localdate())
        links.append(
            NavLink(
                _("Exam statistics"),
                reverse("itembank:statistics-dashboard"),
                order=41,
                badge=overdue or None,
            )
        )
    if list_judging_for(user).exists():
        awaiting = count_rounds_awaiting(user)
        links.append(
            NavLink(
                _("Standard setting"),
                reverse("itembank:judge-studies"),
                order=42,
                badge=awaiting or None,
            )
        )
    return links
