from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.applications.models import Application
from peritus.core.errors import DomainError, ImpartialityError
from peritus.exams.models import AssessmentEvent, EventCandidate
from peritus.exams.services import (
    CandidateDeclaration,
    add_candidate,
    assign_personnel,
    declare_event_interests,
    list_undeclared_entries,
)
from peritus.exams.tests.factories import make_candidate_application
from peritus.impartiality.models import ConflictDeclaration
from peritus.impartiality.selectors import has_declaration, list_declarations_in
from peritus.impartiality.services import record_training
from peritus.schemes.models import SchemeVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(
    officer: User,
    examiner: User,
    event: AssessmentEvent,
    application: Application,
    version: SchemeVersion,
) -> list[EventCandidate]:
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    return [
        add_candidate(actor=officer, event=event, application=application),
        add_candidate(actor=officer, event=event, application=make_candidate_application(version)),
    ]


def test_an_examiner_declares_for_each_candidate_of_the_event(
    examiner: User, event: AssessmentEvent, entries: list[EventCandidate]
) -> None:
    first, second = entries

    declare_event_interests(
        actor=examiner,
        event=event,
        declarations=[
            CandidateDeclaration(first, has_conflict=False),
            CandidateDeclaration(second, has_conflict=True, nature="colleague", details="Team"),
        ],
    )

    declarations = list_declarations_in(event)
    assert len(declarations) == 2
    assert {d.context_label for d in declarations} == {declarations[0].context_label}
    assert event.reference in declarations[0].context_label
    assert has_declaration(examiner, second.application.person, context=event)
    assert list_undeclared_entries(event, examiner) == []


def test_the_screen_is_all_or_nothing(
    examiner: User, event: AssessmentEvent, entries: list[EventCandidate]
) -> None:
    first, second = entries

    with pytest.raises(DomainError) as error:
        declare_event_interests(
            actor=examiner,
            event=event,
            declarations=[
                CandidateDeclaration(first, has_conflict=False),
                CandidateDeclaration(second, has_conflict=True),  # no nature given
            ],
        )

    assert error.value.code == "nature_required"
    assert not ConflictDeclaration.objects.exists()


def test_personnel_not_assigned_to_the_event_cannot_declare_for_it(
    event: AssessmentEvent, entries: list[EventCandidate]
) -> None:
    stranger = make_staff(RoleCode.EXAMINER)

    with pytest.raises(DomainError) as error:
        declare_event_interests(
            actor=stranger, event=event, declarations=[CandidateDeclaration(entries[0], False)]
        )

    assert error.value.code == "not_assigned"


def test_a_candidate_of_another_event_is_refused(
    officer: User,
    examiner: User,
    event: AssessmentEvent,
    entries: list[EventCandidate],
    version: SchemeVersion,
) -> None:
    from peritus.exams.tests.factories import make_event

    elsewhere = add_candidate(
        actor=officer, event=make_event(officer, event.component),
        application=make_candidate_application(version),
    )  # fmt: skip

    with pytest.raises(DomainError) as error:
        declare_event_interests(
            actor=examiner, event=event, declarations=[CandidateDeclaration(elsewhere, False)]
        )

    assert error.value.code == "unknown_candidate"


def test_an_examiner_who_trained_a_candidate_must_declare_it(
    examiner: User, event: AssessmentEvent, entries: list[EventCandidate], quality_manager: User
) -> None:
    record_training(
        actor=quality_manager, trainer=examiner, person=entries[0].application.person,
        course="Exam preparation", started_on=timezone.localdate() - dt.timedelta(days=100),
    )  # fmt: skip

    with pytest.raises(ImpartialityError) as error:
        declare_event_interests(
            actor=examiner, event=event, declarations=[CandidateDeclaration(entries[0], False)]
        )

    assert error.value.code == "training_link_undeclared"


def test_an_empty_declaration_screen_is_refused(
    examiner: User, event: AssessmentEvent, entries: list[EventCandidate]
) -> None:
    with pytest.raises(DomainError) as error:
        declare_event_interests(actor=examiner, event=event, declarations=[])

    assert error.value.code == "nothing_declared"
