"""The public rate limit holds across processes when the cache is Redis (PERITUS_CACHE_URL).

Production runs several gunicorn workers: the counters must live in a cache they share. This
runs the limiter against the Redis server on loopback that `make test` starts; without it the
test fails (it is never skipped).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import caches
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


def test_each_window_counter_expires_with_its_window(redis_cache: None) -> None:
    scope = f"verify-{uuid.uuid4().hex}"
    for _ in range(3):
        ratelimit.hit(scope, "192.0.2.44", "100/m")

    server: Any = redis.Redis.from_url(REDIS_URL)
    (key,) = list(server.scan_iter(match=f"*rl:{scope}:*"))

    assert int(server.get(key)) == 3
    assert 0 < int(server.ttl(key)) <= 61  # the window plus a second, never a counter kept for ever
