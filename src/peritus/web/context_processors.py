from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from peritus.accounts.selectors import is_staff_member


def peritus(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "body_name": settings.PERITUS["BODY_NAME"],
        "demo_mode": settings.DEMO_MODE,
        "is_staff_member": bool(user is not None and is_staff_member(user)),
        "in_office": request.path.startswith("/office/"),
        "in_portal": request.path.startswith("/portal/"),
    }
