from __future__ import annotations

import datetime as dt

import pytest

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.roles import RoleCode
from peritus.certification.models import CertificateStatus
from peritus.notifications.models import OutboxMessage
from peritus.recertification.errors import RecertificationError
from peritus.recertification.models import SubmissionStatus
from peritus.recertification.schedule import due_for
from peritus.recertification.services import review_submission, suspend_after_surveillance
from peritus.recertification.tests.factories import (
    at,
    issued_certificate,
    reload,
    staff,
    submit_surveillance_as_holder,
)

pytestmark = pytest.mark.django_db


def test_accepted_surveillance_moves_the_next_date_a_year_on() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        submission = submit_surveillance_as_holder(certificate, work_log="Welds.")
        review_submission(
            actor=staff(RoleCode.ELIGIBILITY_REVIEWER),
            submission=submission,
            positive=True,
            findings="Employer statement on file.",
            verdicts={},
        )
        due = due_for(certificate, today=dt.date(2027, 2, 10))

    assert reload(certificate).status == CertificateStatus.VALID
    assert due.next_surveillance_on == dt.date(2028, 3, 1)
    assert OutboxMessage.objects.filter(template="recertification_surveillance_accepted").exists()


def test_refused_surveillance_does_not_suspend_by_itself() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        submission = submit_surveillance_as_holder(certificate)
        refused = review_submission(
            actor=staff(RoleCode.ELIGIBILITY_REVIEWER),
            submission=submission,
            positive=False,
            findings="No evidence of practice.",
        )
    assert refused.status == SubmissionStatus.REFUSED
    assert reload(certificate).status == CertificateStatus.VALID
    assert OutboxMessage.objects.filter(template="recertification_surveillance_refused").exists()


def test_a_decision_maker_suspends_after_refused_surveillance() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        submission = submit_surveillance_as_holder(certificate)
        review_submission(
            actor=staff(RoleCode.ELIGIBILITY_REVIEWER),
            submission=submission,
            positive=False,
            findings="No evidence of practice.",
        )
        linked = suspend_after_surveillance(
            actor=staff(RoleCode.DECISION_MAKER),
            submission=submission,
            reason="Surveillance refused: no evidence of practice.",
            conditions="Submit surveillance with the employer's statement.",
            deadline=dt.date(2027, 5, 1),
        )
        with pytest.raises(RecertificationError) as again:
            suspend_after_surveillance(
                actor=staff(RoleCode.DECISION_MAKER),
                submission=linked,
                reason="Again.",
                conditions="Again.",
                deadline=dt.date(2027, 5, 1),
            )

    assert reload(certificate).status == CertificateStatus.SUSPENDED
    assert linked.suspension_decision is not None
    assert linked.suspension_decision.action == "suspend"
    assert again.value.code == "already_suspended"


def test_a_reviewer_cannot_open_suspension_proceedings() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        reviewer = staff(RoleCode.ELIGIBILITY_REVIEWER)
        submission = submit_surveillance_as_holder(certificate)
        review_submission(actor=reviewer, submission=submission, positive=False, findings="No.")
        with pytest.raises(RoleNotHeldError):
            suspend_after_surveillance(
                actor=reviewer,
                submission=submission,
                reason="No.",
                conditions="Do it.",
                deadline=dt.date(2027, 5, 1),
            )
    assert reload(certificate).status == CertificateStatus.VALID


def test_accepted_surveillance_cannot_lead_to_suspension_here() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        submission = submit_surveillance_as_holder(certificate)
        review_submission(
            actor=staff(RoleCode.ELIGIBILITY_REVIEWER),
            submission=submission,
            positive=True,
            findings="Fine.",
        )
        with pytest.raises(RecertificationError) as refused:
            suspend_after_surveillance(
                actor=staff(RoleCode.DECISION_MAKER),
                submission=submission,
                reason="No.",
                conditions="Do it.",
                deadline=dt.date(2027, 5, 1),
            )
    assert refused.value.code == "surveillance_not_refused"
