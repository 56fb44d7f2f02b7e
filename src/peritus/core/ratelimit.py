"""A fixed-window rate limiter over the cache, for anonymous public endpoints.

Sign-in and sign-up are limited by allauth (ACCOUNT_RATE_LIMITS); this covers verification and
the register, which the standard requires to be public but which must not become a scraping API.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest

logger = logging.getLogger(__name__)

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
    them — INCRBY, and the shared total back — once a second for every key (one pipeline), and at
    once for a key whenever a tenth of its limit has been counted here since its last exchange
    (every hit when the limit is under 20). A refusal is always right: the shared count is at
    least what this process last saw plus what it has counted since. Between exchanges each
    process can admit at most a tenth of the limit that the others have already used, so a client
    gets at most `limit × (1 + processes ÷ 10)` in a window.

    One exchange at a time per process, outside the lock, so other threads keep counting. When
    Redis cannot be reached the counts are kept for the next attempt (in RETRY_SECONDS) and each
    process limits on its own counts meanwhile: verification stays up, a client gets at most
    `limit × processes`, and one warning a retry interval says why.
    """

    EXCHANGE_SECONDS = 1.0
    RETRY_SECONDS = 5.0
    MAX_ENTRIES = 100_000  # beyond this, windows already sent are forgotten (learnt again)

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, _WindowCount] = {}
        self.next_exchange = 0.0
        self.retry_after = 0.0  # after a failure, no exchange at all before this
        self.exchanging = False

    def hit(self, backend: RedisCache, cache_key: str, limit: int, window: int) -> int:
        """Count one hit; the lowest the window's shared count can be now."""
        key = backend.make_and_validate_key(cache_key)
        now = time.monotonic()
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                entry = self.entries[key] = _WindowCount(window=window, ends=time.time() + window)
            entry.pending += 1
            batch = self._take(key, entry, limit, now)
        if batch:
            self._send(backend, batch)
        with self.lock:
            return entry.lowest_total

    def _take(self, key: str, entry: _WindowCount, limit: int, now: float) -> list[_Sending]:
        """What to send now, moved from pending to in flight (under the lock)."""
        if self.exchanging or now < self.retry_after:
            return []
        if now >= self.next_exchange:
            self._forget_ended()
            chosen = [(k, e) for k, e in self.entries.items() if e.pending]
            self.next_exchange = now + self.EXCHANGE_SECONDS
        elif entry.pending >= max(1, limit // 10):
            chosen = [(key, entry)]
        else:
            return []
        self.exchanging = True
        batch = []
        for chosen_key, chosen_entry in chosen:
            batch.append(_Sending(chosen_key, chosen_entry, chosen_entry.pending))
            chosen_entry.in_flight, chosen_entry.pending = chosen_entry.pending, 0
        return batch

    def _send(self, backend: RedisCache, batch: list[_Sending]) -> None:
        try:
            # Django's Redis backend has no public accessor for its client; `_cache` is its
            # documented internal (django.core.cache.backends.redis.RedisCache._cache).
            client: Any = backend._cache.get_client(batch[0].key, write=True)
            pipeline = client.pipeline(transaction=False)
            for sending in batch:
                pipeline.set(sending.key, 0, ex=sending.entry.window + 1, nx=True)
                pipeline.incrby(sending.key, sending.count)
            totals = [int(total) for total in pipeline.execute()[1::2]]
        except Exception as error:  # any failure of the cache: limit on local counts meanwhile
            with self.lock:
                # Kept for the next attempt. A count Redis applied before the failure is then
                # counted twice: stricter, never looser.
                for sending in batch:
                    sending.entry.pending += sending.count
                    sending.entry.in_flight = 0
                self.retry_after = time.monotonic() + self.RETRY_SECONDS
                self.exchanging = False
            logger.warning("rate limiter: Redis unreachable, limiting per process: %s", error)
            return
        with self.lock:
            for sending, total in zip(batch, totals, strict=True):
                sending.entry.seen, sending.entry.in_flight = total, 0
            self.exchanging = False

    def _forget_ended(self) -> None:
        wall = time.time()
        ended = [key for key, entry in self.entries.items() if entry.ends < wall]
        if len(self.entries) - len(ended) > self.MAX_ENTRIES:
            ended += [key for key, entry in self.entries.items() if entry.idle]
        for key in ended:
            self.entries.pop(key, None)

    def forget(self) -> None:
        with self.lock:
            self.entries.clear()
            self.next_exchange = self.retry_after = 0.0
            self.exchanging = False


@dataclasses.dataclass
class _WindowCount:
    window: int
    ends: float  # wall-clock time after which the window's key has expired in Redis too
    pending: int = 0  # hits counted here and not yet sent
    in_flight: int = 0  # hits being sent
    seen: int = 0  # the shared count at the last exchange, this process's hits included

    @property
    def lowest_total(self) -> int:
        return self.seen + self.in_flight + self.pending

    @property
    def idle(self) -> bool:
        return not self.pending and not self.in_flight


@dataclasses.dataclass(frozen=True)
class _Sending:
    key: str
    entry: _WindowCount
    count: int


_redis_windows = _RedisWindows()


@receiver(setting_changed)
def _forget_counts(*, setting: str, **kwargs: Any) -> None:
    """Another cache (a test's override) starts from nothing."""
    if setting == "CACHES":
        _redis_windows.forget()
