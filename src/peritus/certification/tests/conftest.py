from __future__ import annotations

from collections.abc import Iterator

import pytest

from peritus.certification.selectors import forget_published_keys


@pytest.fixture(autouse=True)
def _fresh_published_keys() -> Iterator[None]:
    """The published-keys cache lives for a minute per process; tests start without it."""
    forget_published_keys()
    yield
    forget_published_keys()
