"""The second factor: whether a person has one and whether this session was opened with it;
TOTP codes for the demo sign-in panel and the browser tests (RFC 6238, allauth's parameters)."""

from __future__ import annotations

import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.http import HttpRequest

SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: object) -> bool:
    return bool(Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists())


def signed_in_with_second_factor(request: HttpRequest) -> bool:
    """allauth records the authentication methods of the session; a staff login must include MFA."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def current_totp_code(secret: str, *, at: float | None = None) -> str:
    counter = int((at if at is not None else time.time()) // app_settings.TOTP_PERIOD)
    return str(format_hotp_value(hotp_value(secret, counter)))
