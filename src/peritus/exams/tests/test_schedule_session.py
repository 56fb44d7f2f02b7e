"""Scheduling an online session: an exam component, an approved form with a cut score (R18)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.exams.delivery.sessions import schedule_session
from peritus.exams.errors import ExamsError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import Delivery, ExamSession
from peritus.exams.tests.delivery_factories import OBJECTIVE, OnlineExam, make_online_exam
from peritus.itembank.models import ExamForm, FormStatus
from peritus.itembank.statistics.models import FormRelease, StandardSettingStudy, StudyStatus
from peritus.schemes.tests.factories import make_component

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam() -> OnlineExam:
    return make_online_exam(names=OBJECTIVE)


def schedule(exam: OnlineExam, **fields: object) -> ExamSession:
    values: dict[str, object] = {
        "actor": exam.officer, "component": exam.component, "form": exam.form,
        "starts_at": timezone.now() + dt.timedelta(days=7), "location": "Online", "capacity": 30,
    }  # fmt: skip
    values.update(fields)
    return schedule_session(**values)  # type: ignore[arg-type]


def test_a_session_is_an_online_event_of_the_exam_component_with_the_blueprint_s_time(
    exam: OnlineExam,
) -> None:
    session = schedule(exam)

    assert session.event.delivery == Delivery.ONLINE
    assert session.event.component == exam.component
    assert session.event.duration_minutes == 60
    assert session.booking_closes_at == session.event.starts_at - dt.timedelta(hours=24)
    assert session.rules_sha256
    assert session.rules_version
    event = AuditEvent.objects.get(event_type=ExamsEvent.SESSION_SCHEDULED)
    assert event.data["form"] == exam.form.code


def test_a_form_that_is_not_approved_never_goes_live(exam: OnlineExam) -> None:
    ExamForm.objects.filter(pk=exam.form.pk).update(status=FormStatus.RETIRED)

    with pytest.raises(ExamsError) as error:
        schedule(exam)

    assert error.value.code == "form_not_approved"


def test_a_form_without_an_approved_cut_score_never_goes_live(exam: OnlineExam) -> None:
    FormRelease.objects.filter(form=exam.form).delete()
    StandardSettingStudy.objects.filter(form=exam.form).update(status=StudyStatus.SUPERSEDED)

    with pytest.raises(ExamsError) as error:
        schedule(exam)

    assert error.value.code == "cut_score_not_approved"


def test_a_form_the_psychometrician_has_not_released_does_not_go_live(exam: OnlineExam) -> None:
    FormRelease.objects.filter(form=exam.form).delete()

    with pytest.raises(ExamsError) as error:
        schedule(exam)

    assert error.value.code == "form_not_released"


def test_only_an_exam_component_is_delivered_online(exam: OnlineExam) -> None:
    written = make_component(exam.version, code="WR", max_score=Decimal(100), pass_mark=Decimal(50))

    with pytest.raises(ExamsError) as error:
        schedule(exam, component=written)

    assert error.value.code == "not_an_exam_component"


def test_only_a_certification_officer_schedules(exam: OnlineExam) -> None:
    from peritus.accounts.errors import RoleNotHeldError

    with pytest.raises(RoleNotHeldError):
        schedule(exam, actor=make_staff(RoleCode.INVIGILATOR))
