"""The public rate limit holds across processes when the cache is Redis (PERITUS_CACHE_URL).

Production runs several gunicorn workers: the counters must live in a cache they share. This
runs the limiter against the Redis server on loopback that `make test` starts; without it the
test fails (it is never skipped).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from peritus.core import ratelimit

REDIS_URL = "redis://127.0.0.1:6379/14"
REDIS_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}


@pytest.fixture
def redis_cache() -> Iterator[None]:
    with override_settings(CACHES=REDIS_CACHE):
        caches["default"].clear()
        yield
        caches["default"].clear()


def test_a_client_over_the_rate_is_refused_until_the_window_passes(redis_cache: None) -> None:
    scope = f"verify-{uuid.uuid4().hex}"

    answers = [ratelimit.hit(scope, "198.51.100.7", "3/h") for _ in range(5)]
    another_client = ratelimit.hit(scope, "198.51.100.8", "3/h")

    assert answers == [True, True, True, False, False]
    assert another_client is True


def test_the_counters_are_shared_by_every_process(redis_cache: None) -> None:
    scope = f"register-{uuid.uuid4().hex}"
    ratelimit.hit(scope, "203.0.113.5", "2/h")
    ratelimit.hit(scope, "203.0.113.5", "2/h")

    # A second connection, as another gunicorn worker would have, sees the same counter.
    other_worker = redis.Redis.from_url(REDIS_URL)
    keys = list(other_worker.scan_iter(match=f"*rl:{scope}:*"))

    assert len(keys) == 1
    assert ratelimit.hit(scope, "203.0.113.5", "2/h") is False


def test_each_window_counter_expires_with_its_window(
    redis_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit._RedisWindows, "EXCHANGE_SECONDS", 0.0)  # every hit sent
    scope = f"verify-{uuid.uuid4().hex}"
    for _ in range(3):
        ratelimit.hit(scope, "192.0.2.44", "100/m")

    server: Any = redis.Redis.from_url(REDIS_URL)
    (key,) = list(server.scan_iter(match=f"*rl:{scope}:*"))

    assert int(server.get(key)) == 3
    assert 0 < int(server.ttl(key)) <= 61  # the window plus a second, never a counter kept for ever


def test_a_busy_process_sends_its_counts_once_an_interval_not_once_a_hit(
    redis_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit._RedisWindows, "EXCHANGE_SECONDS", 3600.0)
    scope = f"verify-{uuid.uuid4().hex}"
    server: Any = redis.Redis.from_url(REDIS_URL)

    admitted = [ratelimit.hit(scope, "192.0.2.45", "100000/m") for _ in range(50)]
    (key,) = list(server.scan_iter(match=f"*rl:{scope}:*"))
    sent_so_far = int(server.get(key))
    monkeypatch.setattr(ratelimit._RedisWindows, "EXCHANGE_SECONDS", 0.0)
    ratelimit._redis_windows.next_exchange = 0.0  # the interval has passed
    ratelimit.hit(scope, "192.0.2.45", "100000/m")

    assert all(admitted)
    assert sent_so_far == 1  # the first hit opened the exchange; the next 49 stayed in memory
    assert int(server.get(key)) == 51  # nothing counted here is lost at the exchange


def test_processes_that_share_a_client_admit_at_most_a_tenth_more_each(
    redis_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two gunicorn workers, each with its own counts, serving one client in turn."""
    monkeypatch.setattr(ratelimit._RedisWindows, "EXCHANGE_SECONDS", 3600.0)
    workers = [ratelimit._RedisWindows(), ratelimit._RedisWindows()]
    backend: Any = caches["default"]
    limit, key = 50, f"rl:verify-{uuid.uuid4().hex}:198.51.100.9:0"

    admitted = sum(workers[turn % 2].hit(backend, key, limit, 3600) <= limit for turn in range(200))
    later = [worker.hit(backend, key, limit, 3600) <= limit for worker in workers]

    assert limit <= admitted <= limit * (1 + len(workers) / 10)
    assert later == [False, False]  # once the shared count is over, every process refuses


def test_the_bound_holds_when_every_process_holds_back_all_it_may(
    redis_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worst case: each of four processes has counted a tenth of the limit less one, none
    has exchanged, then the client comes back to each in turn until all refuse."""
    monkeypatch.setattr(ratelimit._RedisWindows, "EXCHANGE_SECONDS", 3600.0)
    workers = [ratelimit._RedisWindows() for _ in range(4)]
    backend: Any = caches["default"]
    limit, key = 100, f"rl:verify-{uuid.uuid4().hex}:198.51.100.10:0"
    for worker in workers:
        worker.next_exchange = time.monotonic() + 3600  # the opening exchange already done

    admitted = 0
    for worker in workers:
        admitted += sum(worker.hit(backend, key, limit, 3600) <= limit for _ in range(9))
    for turn in range(400):
        admitted += workers[turn % 4].hit(backend, key, limit, 3600) <= limit

    assert admitted <= limit * (1 + len(workers) / 10)
    assert all(worker.hit(backend, key, limit, 3600) > limit for worker in workers)


def test_without_redis_each_process_limits_on_its_own_counts_and_loses_none(
    redis_cache: None, caplog: pytest.LogCaptureFixture
) -> None:
    worker = ratelimit._RedisWindows()
    unreachable: Any = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {}})
    reachable: Any = caches["default"]
    key = f"rl:complaints-{uuid.uuid4().hex}:198.51.100.11:0"

    with caplog.at_level(logging.WARNING, logger="peritus.core.ratelimit"):
        answers = [worker.hit(unreachable, key, 3, 3600) <= 3 for _ in range(5)]
    worker.retry_after = 0.0  # Redis is back when the retry interval has passed
    worker.hit(reachable, key, 3, 3600)

    assert answers == [True, True, True, False, False]
    assert caplog.text.count("Redis unreachable") == 1  # one warning a retry interval
    server: Any = redis.Redis.from_url(REDIS_URL)
    assert int(server.get(reachable.make_and_validate_key(key))) == 6  # all six hits sent


def test_windows_that_have_ended_are_forgotten(redis_cache: None) -> None:
    worker = ratelimit._RedisWindows()
    backend: Any = caches["default"]
    worker.hit(backend, f"rl:verify-{uuid.uuid4().hex}:198.51.100.12:0", 100, 60)
    (entry,) = worker.entries.values()
    entry.ends = time.time() - 1  # its minute is over
    worker.next_exchange = 0.0

    worker.hit(backend, f"rl:verify-{uuid.uuid4().hex}:198.51.100.12:1", 100, 60)

    assert len(worker.entries) == 1


def test_counting_from_many_threads_loses_no_hit(
    redis_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit._RedisWindows, "EXCHANGE_SECONDS", 0.001)
    worker = ratelimit._RedisWindows()
    backend: Any = caches["default"]
    key = f"rl:verify-{uuid.uuid4().hex}:198.51.100.13:0"

    def client() -> None:
        for _ in range(250):
            worker.hit(backend, key, 1_000_000, 3600)

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    worker.next_exchange = 0.0
    last = worker.hit(backend, key, 1_000_000, 3600)  # the closing exchange sends the rest

    server: Any = redis.Redis.from_url(REDIS_URL)
    assert worker.entries[backend.make_and_validate_key(key)].lowest_total == last == 1001
    assert int(server.get(backend.make_and_validate_key(key))) == 1001
