"""The demo loader builds a consistent record through the services, once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peritus.accounts import demo as accounts_demo
from peritus.applications.tests.factories import make_eligible_application
from peritus.audit_trail.verification import verify_chain
from peritus.core.demo import DemoContext
from peritus.exams import demo as exams_demo
from peritus.exams.models import AssessmentEvent, ComponentResult, EventStatus, ResultStatus
from peritus.exams.selectors import get_assessment_outcome
from peritus.impartiality import demo as impartiality_demo
from peritus.impartiality.models import (
    ConflictMitigation,
    ImpartialityRisk,
    MitigationStatus,
    TrainingRecord,
)
from peritus.schemes.models import AssessmentComponentKind
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db


def test_the_demo_assesses_the_eligible_candidates_and_shares_them() -> None:
    ctx = DemoContext(log=lambda line: None)
    accounts_demo.load(ctx)
    impartiality_demo.load(ctx)
    written = make_published_version(components=2)
    practical = make_published_version(components=1)
    practical.components.update(kind=AssessmentComponentKind.PRACTICAL, duration_minutes=90)
    applications = [make_eligible_application(scheme_version=written) for _ in range(14)]
    applications += [make_eligible_application(scheme_version=practical) for _ in range(8)]
    ctx.extra["eligible_applications"] = applications

    exams_demo.load(ctx)

    assert ImpartialityRisk.objects.count() == 5
    assert AssessmentEvent.objects.filter(status=EventStatus.SCHEDULED).count() == 2
    assert AssessmentEvent.objects.filter(status=EventStatus.HELD).exists()
    assert ComponentResult.objects.filter(status=ResultStatus.RELEASED).exists()
    assert ComponentResult.objects.exclude(status=ResultStatus.RELEASED).exists()
    assert ComponentResult.objects.filter(second_marker__isnull=False).exists()
    assert ComponentResult.objects.filter(passed=False).exists()
    assert ConflictMitigation.objects.get().status == MitigationStatus.APPROVED
    assert TrainingRecord.objects.count() == 4  # two per scheme version
    passed = ctx.extra["passed_applications"]
    assert passed
    assert all(get_assessment_outcome(application).ready_for_decision for application in passed)
    assert ctx.extra["failed_applications"]
    assert ctx.extra["awaiting_release_applications"]
    assert all(result.score is None or result.score <= Decimal(100)
               for result in ComponentResult.objects.all())  # fmt: skip
    named = applications[0]  # the applications loader puts the named demo candidate first
    assert ComponentResult.objects.filter(application=named, status=ResultStatus.RELEASED).exists()
    assert verify_chain().intact

    counts = (AssessmentEvent.objects.count(), ComponentResult.objects.count())
    again = DemoContext(log=lambda line: None, users=ctx.users)
    impartiality_demo.load(again)
    exams_demo.load(again)

    assert (AssessmentEvent.objects.count(), ComponentResult.objects.count()) == counts
    assert ImpartialityRisk.objects.count() == 5
    assert [a.pk for a in again.extra["passed_applications"]] == [a.pk for a in passed]
