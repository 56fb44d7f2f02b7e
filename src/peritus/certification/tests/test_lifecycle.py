"""The certificate's state machine: every allowed transition, and every other one refused.

The services for suspension, withdrawal and expiry come later; the guards are here now.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django_fsm import TransitionNotAllowed

from peritus.certification.models import Certificate, CertificateStatus

S = CertificateStatus
ALLOWED: dict[tuple[str, str], str] = {
    (S.VALID, "suspend"): S.SUSPENDED,
    (S.SUSPENDED, "reinstate"): S.VALID,
    (S.VALID, "withdraw"): S.WITHDRAWN,
    (S.SUSPENDED, "withdraw"): S.WITHDRAWN,
    (S.VALID, "expire"): S.EXPIRED,
    (S.SUSPENDED, "expire"): S.EXPIRED,
}
METHODS = ("suspend", "reinstate", "withdraw", "expire")
TODAY = dt.date(2027, 6, 1)


def certificate(status: str, *, expires_on: dt.date) -> Certificate:
    return Certificate(
        number="WI-0000001-X",
        status=status,
        valid_from=expires_on - dt.timedelta(days=1000),
        expires_on=expires_on,
    )


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("method", METHODS)
@time_machine.travel(dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC), tick=False)
def test_the_transition_table(status: str, method: str) -> None:
    # Expiry needs a passed date; everything else a date still to come.
    expires_on = (
        TODAY - dt.timedelta(days=1) if method == "expire" else TODAY + dt.timedelta(days=90)
    )
    subject = certificate(status, expires_on=expires_on)

    if (status, method) in ALLOWED:
        getattr(subject, method)()
        assert subject.status == ALLOWED[(status, method)]
    else:
        with pytest.raises(TransitionNotAllowed):
            getattr(subject, method)()


@time_machine.travel(dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC), tick=False)
def test_a_certificate_past_its_date_is_not_reinstated() -> None:
    subject = certificate(S.SUSPENDED, expires_on=TODAY - dt.timedelta(days=1))

    with pytest.raises(TransitionNotAllowed):
        subject.reinstate()


@time_machine.travel(dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC), tick=False)
def test_a_certificate_is_not_expired_on_its_last_day() -> None:
    subject = certificate(S.VALID, expires_on=TODAY)

    with pytest.raises(TransitionNotAllowed):
        subject.expire()


def test_the_status_cannot_be_assigned_directly() -> None:
    subject = certificate(S.VALID, expires_on=TODAY)

    with pytest.raises(AttributeError):
        subject.status = S.WITHDRAWN
