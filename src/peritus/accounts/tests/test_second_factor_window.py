"""A second-factor code is accepted one 30-second step late, never later, and never twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP

from peritus.accounts.second_factor import current_totp_code
from peritus.accounts.tests.factories import TEST_TOTP_SECRET, enrol_totp, make_staff

STEP = 30
NOW = dt.datetime(2026, 11, 26, 10, 0, 5, tzinfo=dt.UTC)  # five seconds into a step

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _at_a_known_instant() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _authenticator() -> TOTP:
    return TOTP(enrol_totp(make_staff(with_totp=False)))


def test_the_code_of_the_step_just_ended_is_accepted() -> None:
    code = current_totp_code(TEST_TOTP_SECRET, at=NOW.timestamp() - STEP)

    assert _authenticator().validate_code(code) is True


def test_a_code_two_steps_old_is_refused() -> None:
    code = current_totp_code(TEST_TOTP_SECRET, at=NOW.timestamp() - 2 * STEP)

    assert _authenticator().validate_code(code) is False


def test_a_code_is_accepted_once() -> None:
    authenticator = _authenticator()
    code = current_totp_code(TEST_TOTP_SECRET)

    assert authenticator.validate_code(code) is True
    assert authenticator.validate_code(code) is False
