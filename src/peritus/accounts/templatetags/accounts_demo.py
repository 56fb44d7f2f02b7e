from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from peritus.accounts.second_factor import current_totp_code
from peritus.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

register = template.Library()


@register.inclusion_tag("account/demo_signins.html")
def demo_signins() -> dict[str, Any]:
    """In demo mode only: who to sign in as, the shared password and the current second-factor code."""
    if not settings.DEMO_MODE:
        return {"enabled": False}
    from peritus.accounts.demo import DEMO_CANDIDATES, DEMO_DOMAIN, DEMO_STAFF

    staff = [(label, f"{local}@{DEMO_DOMAIN}") for label, local, *_ in DEMO_STAFF]
    candidates = [(label, f"{local}@{DEMO_DOMAIN}") for label, local, *_ in DEMO_CANDIDATES]
    return {
        "enabled": True,
        "password": DEMO_PASSWORD,
        "staff": staff,
        "candidates": candidates,
        "totp_code": current_totp_code(DEMO_TOTP_SECRET),
    }
