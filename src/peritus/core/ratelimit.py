"""A fixed-window rate limiter over the cache, for anonymous public endpoints.

Sign-in and sign-up are limited by allauth (ACCOUNT_RATE_LIMITS); this covers verification and
the register, which the standard requires to be public but which must not become a scraping API.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

RATE_OFF = "off"  # a proxy in front limits instead (README, deployment)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'120/m' → (120, 60)."""
    count, _, unit = rate.partition("/")
    return int(count), UNITS[unit or "m"]


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one request; True while the caller is within `rate` (always when it is `off`)."""
    if rate == RATE_OFF:
        return True
    limit, window = parse_rate(rate)
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return _count_in_redis(backend, cache_key, window) <= limit
    if cache.add(cache_key, 1, timeout=window + 1):
        return True
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        used = 1
    return used <= limit


def _count_in_redis(backend: RedisCache, cache_key: str, window: int) -> int:
    """One round trip instead of Django's three (add, then exists and incr).

    Verification is the hottest public path (product.md §5) and every request passes here; the
    window's counter is created with its expiry if missing, then incremented, in one pipeline.
    """
    key = backend.make_and_validate_key(cache_key)
    # Django's Redis backend has no public accessor for its client; `_cache` is its documented
    # internal (django.core.cache.backends.redis.RedisCache._cache).
    client: Any = backend._cache.get_client(key, write=True)
    pipeline = client.pipeline(transaction=False)
    pipeline.set(key, 0, ex=window + 1, nx=True)
    pipeline.incr(key)
    _created, used = pipeline.execute()
    return int(used)
