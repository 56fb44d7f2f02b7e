"""TOTP codes for the demo sign-in panel and the browser tests (RFC 6238, allauth's parameters)."""

from __future__ import annotations

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def current_totp_code(secret: str, *, at: float | None = None) -> str:
    counter = int((at if at is not None else time.time()) // app_settings.TOTP_PERIOD)
    return str(format_hotp_value(hotp_value(secret, counter)))
