"""A fixed-window rate limiter over the cache, for anonymous public endpoints.

Sign-in and sign-up are limited by allauth (ACCOUNT_RATE_LIMITS); this covers verification and
the register, which the standard requires to be public but which must not become a scraping API.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Mapping
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest

RATE_OFF = "off"  # a proxy in front limits instead (README, deployment)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'120/m' → (120, 60)."""
    count, _, unit = rate.partition("/")
    return int(count), UNITS[unit or "m"]


def client_address(request: HttpRequest) -> str:
    return address_from_meta(request.META)


def address_from_meta(meta: Mapping[str, Any]) -> str:
    """The client's address from a request's META or a WSGI environment (the same keys)."""
    return str(meta.get("REMOTE_ADDR", "unknown"))


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one request; True while the caller is within `rate` (always when it is `off`)."""
    if rate == RATE_OFF:
        return True
    limit, window = parse_rate(rate)
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return _redis_windows.hit(backend, cache_key, limit, window) <= limit
    if cache.add(cache_key, 1, timeout=window + 1):
        return True
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        used = 1
    return used <= limit


class _RedisWindows:
    """This process's counts for the Redis limiter, exchanged with Redis instead of sent per hit.

    Verification is the hottest public path (product.md §5); one Redis round trip per request cost
    it a third of its throughput (ADR 0024). Each process counts hits in memory and exchanges
    them — INCRBY and the shared total back, every key in one pipeline — once a second, and at
    once for a key whenever a tenth of its limit has been counted here since its last exchange
    (every hit when the limit is under 20). A refusal is always right: the shared count is at
    least what this process last saw plus what it has counted since. Between exchanges each
    process can admit at most a tenth of the limit that the others have already used, so a client
    gets at most `limit × (1 + processes ÷ 10)` in a window, never an unbounded amount.
    """

    EXCHANGE_SECONDS = 1.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, _WindowCount] = {}
        self.next_exchange = 0.0

    def hit(self, backend: RedisCache, cache_key: str, limit: int, window: int) -> int:
        """Count one hit; the lowest the window's shared count can be now."""
        key = backend.make_and_validate_key(cache_key)
        now = time.monotonic()
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                entry = self.entries[key] = _WindowCount(window=window, ends=time.time() + window)
            entry.pending += 1
            if entry.pending >= max(1, limit // 10) or now >= self.next_exchange:
                self._exchange(backend, now)
            return entry.seen + entry.pending

    def _exchange(self, backend: RedisCache, now: float) -> None:
        """Send every pending count, learn every shared total, forget windows that have ended."""
        wall = time.time()
        for key in [key for key, entry in self.entries.items() if entry.ends < wall]:
            del self.entries[key]
        pending = [(key, entry) for key, entry in self.entries.items() if entry.pending]
        if pending:
            # Django's Redis backend has no public accessor for its client; `_cache` is its
            # documented internal (django.core.cache.backends.redis.RedisCache._cache).
            client: Any = backend._cache.get_client(pending[0][0], write=True)
            pipeline = client.pipeline(transaction=False)
            for key, entry in pending:
                pipeline.set(key, 0, ex=entry.window + 1, nx=True)
                pipeline.incrby(key, entry.pending)
            totals = pipeline.execute()[1::2]
            for (_key, entry), total in zip(pending, totals, strict=True):
                entry.seen, entry.pending = int(total), 0
        self.next_exchange = now + self.EXCHANGE_SECONDS

    def forget(self) -> None:
        with self.lock:
            self.entries.clear()
            self.next_exchange = 0.0


@dataclasses.dataclass
class _WindowCount:
    window: int
    ends: float  # wall-clock time after which the window's key has expired in Redis too
    pending: int = 0  # hits counted here and not yet sent
    seen: int = 0  # the shared count at the last exchange, this process's hits included


_redis_windows = _RedisWindows()


@receiver(setting_changed)
def _forget_counts(*, setting: str, **kwargs: Any) -> None:
    """Another cache (a test's override) starts from nothing."""
    if setting == "CACHES":
        _redis_windows.forget()
