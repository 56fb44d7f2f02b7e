"""The demo online sessions: candidates in every state, a re-keyed item, idempotent."""

from __future__ import annotations

import pytest

from peritus.accounts import demo as accounts_demo
from peritus.accounts.models import Person
from peritus.applications.tests.factories import make_eligible_application
from peritus.audit_trail.verification import verify_chain
from peritus.core.demo import DemoContext
from peritus.exams.delivery.demo import load_delivery
from peritus.exams.models import (
    Attempt,
    AttemptStatus,
    ExamSession,
    Incident,
    KeyDecisionChoice,
    KeyFinding,
    MarkStatus,
    RubricMark,
)
from peritus.exams.tests.delivery_factories import OBJECTIVE, make_online_exam, make_sitter
from peritus.schemes.models import Scheme

pytestmark = pytest.mark.django_db


def _demo_with(names: list[str] | None) -> None:
    ctx = DemoContext(log=lambda line: None)
    accounts_demo.load(ctx)
    exam = make_online_exam(names=names)
    Scheme.objects.filter(pk=exam.version.scheme_id).update(slug="cloud-security-practitioner")
    ctx.extra["exam_forms"] = {"cloud-security-practitioner": [exam.form]}
    for _ in range(12):
        user = make_sitter(exam)
        assert Person.objects.filter(user=user).exists()
    make_eligible_application(scheme_version=exam.version)  # no account: never seated

    load_delivery(ctx)
    load_delivery(ctx)


def test_the_demo_sessions_show_every_attempt_state_once() -> None:
    _demo_with(OBJECTIVE)

    states = set(Attempt.objects.values_list("status", flat=True))
    assert {
        AttemptStatus.BOOKED, AttemptStatus.CHECKED_IN, AttemptStatus.IN_PROGRESS,
        AttemptStatus.SUBMITTED, AttemptStatus.TIMED_OUT, AttemptStatus.SCORED,
        AttemptStatus.RELEASED,
    } <= states  # fmt: skip
    assert ExamSession.objects.count() == 3
    assert Attempt.objects.filter(extra_time_percent=25, status=AttemptStatus.IN_PROGRESS).exists()
    assert KeyFinding.objects.filter(decision=KeyDecisionChoice.REKEY).count() == 1
    assert Incident.objects.count() == 3
    assert verify_chain().intact


def test_a_form_with_an_extended_response_is_marked_before_its_results_are_released() -> None:
    # The demo's form comes from a time-limited solver: it may hold an essay item or not.
    _demo_with(None)

    released = Attempt.objects.filter(status=AttemptStatus.RELEASED)
    assert released.exists()
    marks = RubricMark.objects.filter(attempt__in=released)
    assert marks.count() == released.count()
    assert all(mark.status == MarkStatus.FINAL for mark in marks)
    assert verify_chain().intact
