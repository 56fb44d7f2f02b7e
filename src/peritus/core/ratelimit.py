"""A fixed-window rate limiter over the cache, for anonymous public endpoints.

Sign-in and sign-up are limited by allauth (ACCOUNT_RATE_LIMITS); this covers verification and
the register, which the standard requires to be public but which must not become a scraping API.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'120/m' → (120, 60)."""
    count, _, unit = rate.partition("/")
    return int(count), UNITS[unit or "m"]


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one request; True while the caller is within `rate`."""
    limit, window = parse_rate(rate)
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        return True
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        used = 1
    return used <= limit
