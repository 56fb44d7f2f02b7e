"""Typed readers for the environment, refusing bad values instead of guessing (healthchecks' habit)."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


RATE_PATTERN = re.compile(r"^[1-9][0-9]*/[smhd]$")
RATE_OFF = "off"


def env_rate(name: str, default: str) -> str:
    """A rate such as `120/m` (per s, m, h or d), or `off` where a proxy in front limits instead."""
    raw = os.environ.get(name, "").strip() or default
    if raw != RATE_OFF and not RATE_PATTERN.match(raw):
        raise ImproperlyConfigured(
            f"{name} must be a count per second, minute, hour or day such as 120/m, or off; "
            f"not {raw!r}"
        )
    return raw


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def mailer_from_url(url: str) -> dict[str, object]:
    """Turn EMAIL_URL into a Django 6.1 MAILERS entry.

    smtp://user:password@host:587?from=... (STARTTLS with smtp+tls://, implicit TLS with
    smtps:// or smtp+ssl://), console://, file:///absolute/folder, locmem://.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    backends = "django.core.mail.backends"
    if scheme == "console":
        return {"BACKEND": f"{backends}.console.EmailBackend"}
    if scheme == "locmem":
        return {"BACKEND": f"{backends}.locmem.EmailBackend"}
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("EMAIL_URL file:// needs an absolute folder path")
        return {
            "BACKEND": f"{backends}.filebased.EmailBackend",
            "OPTIONS": {"file_path": parts.path},
        }
    if scheme in {"smtp", "smtp+tls", "smtps", "smtp+ssl"}:
        if not parts.hostname:
            raise ImproperlyConfigured(
                "EMAIL_URL needs a host, e.g. smtp+tls://user:pass@mail.example.org:587"
            )
        query = parse_qs(parts.query)
        options: dict[str, object] = {
            "host": parts.hostname,
            "port": parts.port
            or (465 if scheme in {"smtps", "smtp+ssl"} else 587 if scheme == "smtp+tls" else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": scheme == "smtp+tls",
            "use_ssl": scheme in {"smtps", "smtp+ssl"},
            "timeout": int(query.get("timeout", ["20"])[0]),
        }
        return {"BACKEND": f"{backends}.smtp.EmailBackend", "OPTIONS": options}
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {scheme!r} is not supported (smtp, smtp+tls, smtps, file, console)"
    )
