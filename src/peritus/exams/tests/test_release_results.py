from __future__ import annotations

import re

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.applications.models import Application
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import AssessmentEvent, ComponentResult, ResultStatus
from peritus.exams.services import release_event_results, release_result
from peritus.exams.tests.factories import (
    make_candidate_application,
    make_event,
    mark,
    ready_to_mark,
)
from peritus.notifications.models import OutboxMessage
from peritus.schemes.models import AssessmentComponent, SchemeVersion
from peritus.schemes.tests.factories import make_scheme

pytestmark = pytest.mark.django_db


def test_an_officer_releases_a_result_and_the_candidate_is_told(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    result = mark(examiner, entry, 88)

    released = release_result(actor=officer, result=result)

    assert released.status == ResultStatus.RELEASED
    assert (released.released_by, released.released_at is not None) == (officer, True)
    audit = AuditEvent.objects.get(event_type=ExamsEvent.RESULT_RELEASED)
    assert (audit.actor_id, audit.actor_role) == (officer.pk, RoleCode.CERTIFICATION_OFFICER)
    message = OutboxMessage.objects.get(template="exams_results_released")
    assert message.recipient_person == application.person
    # The score is read in the portal, after signing in (not "88" inside a random reference).
    assert not re.search(r"(?<![\w.])88(\.0+)?(?![\w.])", message.body)


def test_only_a_certification_officer_releases(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    result = mark(examiner, entry, 88)

    for actor in (examiner, make_staff(RoleCode.DECISION_MAKER)):
        with pytest.raises(DomainError) as error:
            release_result(actor=actor, result=result)
        assert error.value.code == "role_not_held"

    assert ComponentResult.objects.get(pk=result.pk).status == ResultStatus.FINAL


def test_an_officer_of_another_scheme_cannot_release(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    result = mark(examiner, entry, 88)
    elsewhere = make_staff(RoleCode.CERTIFICATION_OFFICER, scheme=make_scheme())

    with pytest.raises(DomainError) as error:
        release_result(actor=elsewhere, result=result)

    assert error.value.code == "role_not_held"


def test_a_result_waiting_for_a_second_mark_is_not_released(
    officer: User, examiner: User, component: AssessmentComponent, application: Application
) -> None:
    event = make_event(officer, component, double_marking=True)
    (entry,) = ready_to_mark(officer, examiner, event, application)
    result = mark(examiner, entry, 88)

    with pytest.raises(DomainError) as error:
        release_result(actor=officer, result=result)

    assert error.value.code == "not_final"


def test_a_result_is_released_once(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    result = release_result(actor=officer, result=mark(examiner, entry, 88))

    with pytest.raises(DomainError) as error:
        release_result(actor=officer, result=result)

    assert error.value.code == "not_final"


def test_releasing_an_event_releases_every_final_result_with_one_notice_each(
    officer: User,
    examiner: User,
    event: AssessmentEvent,
    application: Application,
    version: SchemeVersion,
) -> None:
    first, second, _third = ready_to_mark(
        officer, examiner, event, application, make_candidate_application(version),
        make_candidate_application(version),
    )  # fmt: skip
    mark(examiner, first, 90)
    mark(examiner, second, 40)

    released = release_event_results(actor=officer, event=event)

    assert {result.entry_id for result in released} == {first.pk, second.pk}
    assert OutboxMessage.objects.filter(template="exams_results_released").count() == 2
    assert AuditEvent.objects.filter(event_type=ExamsEvent.RESULT_RELEASED).count() == 2
    with pytest.raises(DomainError) as error:
        release_event_results(actor=officer, event=event)
    assert error.value.code == "nothing_to_release"
