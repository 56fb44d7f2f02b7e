"""Access-checked fetch helpers for interfaces (zulip's `access_*_by_id`).

`get_object_for` answers 404 when the user may not *see* the object, so its existence does not
leak, and 403 when they may see it but not do what they asked.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404


def get_object_for[ModelT: models.Model](
    user: Any,
    queryset: models.QuerySet[ModelT],
    *,
    view_perm: str,
    perm: str | None = None,
    **lookup: Any,
) -> ModelT:
    """The object matching `lookup` if `user` holds `view_perm` on it (and `perm`, if given)."""
    try:
        obj = queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404 from None
    if not user.has_perm(view_perm, obj):
        raise Http404
    if perm is not None and not user.has_perm(perm, obj):
        raise PermissionDenied
    return obj
