"""A menu entry an app offers in its `navigation.py` (collected by `peritus.web.navigation`)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    order: int = 100
    badge: int | None = None
