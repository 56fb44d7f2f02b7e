"""Rate limits come from the environment as `count/unit` or `off`; anything else stops start-up."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from peritus.config.environment import env_rate
from peritus.core import ratelimit


@pytest.mark.parametrize("value", ["120/m", "5/h", "1/s", "10000/d", "off"])
def test_a_rate_or_off_is_accepted(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PERITUS_VERIFICATION_RATE_LIMIT", value)

    assert env_rate("PERITUS_VERIFICATION_RATE_LIMIT", "120/m") == value


def test_an_unset_rate_takes_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERITUS_VERIFICATION_RATE_LIMIT", raising=False)

    assert env_rate("PERITUS_VERIFICATION_RATE_LIMIT", "120/m") == "120/m"


@pytest.mark.parametrize("value", ["120", "120/min", "0/m", "-3/m", "many/m", "disabled"])
def test_a_malformed_rate_stops_start_up_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PERITUS_VERIFICATION_RATE_LIMIT", value)

    with pytest.raises(ImproperlyConfigured, match="PERITUS_VERIFICATION_RATE_LIMIT"):
        env_rate("PERITUS_VERIFICATION_RATE_LIMIT", "120/m")


def test_off_never_refuses() -> None:
    assert all(ratelimit.hit("verify", "198.51.100.9", "off") for _ in range(500))
