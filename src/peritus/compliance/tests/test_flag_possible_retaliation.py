"""R25: an adverse decision about someone who appealed in the window before it is flagged once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.selectors import get_person_of_user
from peritus.audit_trail.models import AuditEvent
from peritus.certification.tests.factories import make_assessed_application
from peritus.complaints.tests.factories import submitted
from peritus.compliance.events import ComplianceEvent
from peritus.compliance.jobs import retaliation_flags
from peritus.compliance.models import AdverseKind, FlagStatus, RetaliationFlag
from peritus.compliance.tests.factories import appealed_then_suspended
from peritus.notifications.models import OutboxMessage
from peritus.scheduling.registry import get_job

pytestmark = pytest.mark.django_db


def test_an_appellant_suspended_two_months_after_appealing_is_flagged_for_review(
    candidate: User, quality_manager: User
) -> None:
    case = appealed_then_suspended(candidate, days_between=60)

    summary = retaliation_flags(timezone.now())

    flag = RetaliationFlag.objects.get()
    assert summary.startswith("1 ")
    assert flag.kind == AdverseKind.SUSPENDED
    assert flag.person == case.person
    assert flag.appeal == case.appeal
    assert flag.decision_reference == case.suspension.reference
    assert flag.status == FlagStatus.OPEN
    assert flag.involved_user_ids == [case.suspended_by.pk]
    assert AuditEvent.objects.filter(event_type=ComplianceEvent.RETALIATION_FLAGGED).count() == 1
    assert OutboxMessage.objects.filter(
        template="compliance_retaliation_flagged", recipient_user=quality_manager
    ).exists()


def test_a_suspension_after_the_window_is_not_flagged(candidate: User) -> None:
    appealed_then_suspended(candidate, days_between=200)

    retaliation_flags(timezone.now())

    assert not RetaliationFlag.objects.exists()


def test_running_the_job_twice_flags_a_decision_once(
    candidate: User, quality_manager: User
) -> None:
    appealed_then_suspended(candidate, days_between=30)

    retaliation_flags(timezone.now())
    summary = retaliation_flags(timezone.now() + dt.timedelta(hours=6))

    assert summary.startswith("0 ")
    assert RetaliationFlag.objects.count() == 1
    assert OutboxMessage.objects.filter(template="compliance_retaliation_flagged").count() == 1


def test_a_late_run_catches_up_on_a_decision_of_last_month(candidate: User) -> None:
    appealed_then_suspended(candidate, days_between=30)

    retaliation_flags(timezone.now() + dt.timedelta(days=40))

    assert RetaliationFlag.objects.count() == 1


def test_the_refusal_the_person_appealed_is_not_itself_flagged(candidate: User) -> None:
    appealed_then_suspended(candidate, days_between=200)

    retaliation_flags(timezone.now() - dt.timedelta(days=199))

    assert not RetaliationFlag.objects.exists()


def test_a_failed_exam_released_after_a_complaint_is_flagged_with_its_markers(
    candidate: User, officer: User, examiner: User
) -> None:
    person = get_person_of_user(candidate)
    assert person is not None
    with time_machine.travel(timezone.now() - dt.timedelta(days=45), tick=False):
        complaint = submitted(user=candidate, email=candidate.email)
    make_assessed_application(officer=officer, examiner=examiner, person=person, scores=(55,))

    retaliation_flags(timezone.now())

    flag = RetaliationFlag.objects.get()
    assert flag.kind == AdverseKind.EXAM_FAILED
    assert flag.complaint == complaint
    assert examiner.pk in flag.involved_user_ids


def test_the_window_is_configurable(candidate: User, settings: Any) -> None:
    settings.PERITUS_RETALIATION_WINDOW_DAYS = 30
    appealed_then_suspended(candidate, days_between=60)

    retaliation_flags(timezone.now())

    assert not RetaliationFlag.objects.exists()


def test_the_job_is_registered_for_tick() -> None:
    job = get_job("compliance-retaliation-flags")

    assert job.function is retaliation_flags
