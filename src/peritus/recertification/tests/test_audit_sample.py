from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from peritus.accounts.roles import RoleCode
from peritus.audit_trail.models import AuditEvent
from peritus.recertification import sampling
from peritus.recertification.events import RecertificationEvent
from peritus.recertification.services import review_submission
from peritus.recertification.tests.factories import (
    at,
    issued_certificate,
    set_policy,
    staff,
    submit_surveillance_as_holder,
)

pytestmark = pytest.mark.django_db


def test_the_draw_is_uniform_enough_to_sample_near_the_rate() -> None:
    drawn = [
        sampling.draw(f"C-{n}|surveillance|2027-03-01", Decimal(10)).selected for n in range(2000)
    ]
    assert 140 <= sum(drawn) <= 260


def test_every_submission_is_sampled_at_100_percent_and_none_at_0() -> None:
    assert sampling.draw("k", Decimal(100)).selected
    assert not sampling.draw("k", Decimal(0)).selected


def test_the_draw_is_recorded_on_the_submission_and_in_the_audit_trail() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        set_policy(certificate.scheme_version, spot_check_percent=Decimal(100))
        submission = submit_surveillance_as_holder(certificate)

    assert submission.selected_for_audit
    assert submission.sample_key == f"{certificate.number}|surveillance|2027-03-01"
    assert submission.sample_percent == Decimal(100)
    event = AuditEvent.objects.get(event_type=RecertificationEvent.SAMPLE_DRAWN)
    assert event.data["selected"] is True
    assert event.data["draw"] == str(submission.sample_draw)


def test_resubmitting_after_a_refusal_draws_the_same_number() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        set_policy(certificate.scheme_version, spot_check_percent=Decimal(50))
        first = submit_surveillance_as_holder(certificate)
        review_submission(
            actor=staff(RoleCode.ELIGIBILITY_REVIEWER),
            submission=first,
            positive=False,
            findings="Work log missing.",
            verdicts={a.pk: "accepted" for a in first.cpd_activities.all()},
        )
        second = submit_surveillance_as_holder(certificate, work_log="Here it is.")

    assert second.sample_key == first.sample_key
    assert second.sample_draw == first.sample_draw
    assert second.selected_for_audit == first.selected_for_audit


def test_once_sampled_a_resubmission_stays_sampled_even_if_the_rate_falls() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        set_policy(certificate.scheme_version, spot_check_percent=Decimal(100))
        first = submit_surveillance_as_holder(certificate)
        review_submission(
            actor=staff(RoleCode.ELIGIBILITY_REVIEWER),
            submission=first,
            positive=False,
            findings="Work log missing.",
        )
        set_policy(
            certificate.scheme_version,
            spot_check_percent=Decimal(0),
            self_declared_justification="Low-risk scheme, documented in the scheme file.",
        )
        second = submit_surveillance_as_holder(certificate)

    assert first.selected_for_audit
    assert second.selected_for_audit
