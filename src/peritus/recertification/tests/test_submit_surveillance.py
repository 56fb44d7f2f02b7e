from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage
from peritus.recertification.errors import RecertificationError, RecertificationInputError
from peritus.recertification.events import RecertificationEvent
from peritus.recertification.models import SubmissionKind, SubmissionStatus
from peritus.recertification.tests.factories import (
    at,
    issued_certificate,
    log_hours,
    set_policy,
    submit_surveillance_as_holder,
)

pytestmark = pytest.mark.django_db


def test_surveillance_is_submitted_with_the_declaration_and_the_cpd_so_far() -> None:
    certificate = issued_certificate()
    with at(dt.date(2026, 10, 1)):
        activity = log_hours(certificate, "6")
    with at(dt.date(2027, 2, 10)):
        submission = submit_surveillance_as_holder(certificate, work_log="Inspected 40 welds.")

    assert submission.kind == SubmissionKind.SURVEILLANCE
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.due_on == dt.date(2027, 3, 1)
    assert "continued to practise" in submission.declaration
    assert list(submission.cpd_activities.all()) == [activity]
    assert submission.cpd_hours == {"general": "6.0"}
    assert AuditEvent.objects.filter(event_type=RecertificationEvent.SUBMITTED).count() == 1
    notice = OutboxMessage.objects.get(template="recertification_submission_received")
    assert submission.reference in notice.subject


def test_surveillance_cannot_be_submitted_before_it_opens() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 1, 29)), pytest.raises(RecertificationError) as refused:
        submit_surveillance_as_holder(certificate)
    assert refused.value.code == "surveillance_not_open"


def test_the_declaration_must_be_confirmed() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)), pytest.raises(RecertificationInputError) as refused:
        submit_surveillance_as_holder(certificate, declared=False)
    assert refused.value.code == "declaration_required"


def test_a_scheme_that_asks_for_a_work_log_gets_one() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        set_policy(
            certificate.scheme_version,
            declaration_text="I still practise.",
            work_log_required=True,
            spot_check_percent=Decimal(5),
        )
        with pytest.raises(RecertificationInputError) as refused:
            submit_surveillance_as_holder(certificate)
        submission = submit_surveillance_as_holder(certificate, work_log="40 welds inspected.")

    assert refused.value.code == "work_log_required"
    assert submission.declaration == "I still practise."


def test_one_surveillance_at_a_time() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        submit_surveillance_as_holder(certificate)
        with pytest.raises(RecertificationError) as refused:
            submit_surveillance_as_holder(certificate)
    assert refused.value.code == "already_submitted"


def test_a_route_of_only_self_declarations_needs_a_justification() -> None:
    certificate = issued_certificate()
    with at(dt.date(2026, 6, 1)), pytest.raises(RecertificationInputError) as refused:
        set_policy(certificate.scheme_version, spot_check_percent=Decimal(0))
    assert refused.value.code == "justification_required"
