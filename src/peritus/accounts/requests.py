"""What every back-office and portal view asks of the request: who acts, and may they."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from peritus.accounts.models import User


def actor_of(request: HttpRequest) -> User:
    """The signed-in user (the office and portal middleware let no one else through)."""
    return cast(User, request.user)


def require_perm(request: HttpRequest, perm: str, obj: Any = None) -> None:
    """403 unless the signed-in user holds `perm` (on `obj`, for object rules)."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied
