"""Back-office menu entry of the retaliation flags (R25), for quality managers and top management."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peritus.compliance.selectors import count_open_flags
from peritus.core.navigation import NavLink


def office_links(user: Any) -> list[NavLink]:
    if not user.has_perm("compliance.view_retaliation_flags"):
        return []
    return [
        NavLink(
            _("Retaliation flags"),
            reverse("compliance:retaliation-list"),
            order=87,
            badge=count_open_flags() or None,
        )
    ]
