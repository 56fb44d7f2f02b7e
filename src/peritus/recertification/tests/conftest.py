from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from peritus.certification.selectors import forget_published_keys


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    """Rate-limit counters live in the cache and published keys in a per-process cache."""
    cache.clear()
    forget_published_keys()
    yield
    cache.clear()
    forget_published_keys()
