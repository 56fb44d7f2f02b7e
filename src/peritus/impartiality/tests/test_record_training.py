from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.impartiality.events import ImpartialityEvent
from peritus.impartiality.selectors import list_trainer_ids_for, trained_within, years_before
from peritus.impartiality.services import record_training

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def test_the_quality_manager_records_a_trainer_link(
    quality_manager: User, examiner: User, candidate_person: Person
) -> None:
    record = record_training(
        actor=quality_manager, trainer=examiner, person=candidate_person,
        course="Visual weld inspection", provider="Weld Academy",
        started_on=dt.date(2026, 1, 5), ended_on=dt.date(2026, 1, 9),
    )  # fmt: skip

    assert record.recorded_by == quality_manager
    event = AuditEvent.objects.get(event_type=ImpartialityEvent.TRAINING_RECORDED)
    assert event.data["trainer_id"] == examiner.pk


def test_a_trainer_records_their_own_training(examiner: User, candidate_person: Person) -> None:
    record = record_training(
        actor=examiner, trainer=examiner, person=candidate_person, course="Oral exam prep",
        started_on=dt.date(2026, 2, 1),
    )  # fmt: skip

    assert record.ended_on is None


def test_nobody_else_records_training_for_a_trainer(
    decision_maker: User, examiner: User, candidate_person: Person
) -> None:
    with pytest.raises(DomainError) as error:
        record_training(
            actor=decision_maker, trainer=examiner, person=candidate_person, course="Course",
            started_on=dt.date(2026, 2, 1),
        )  # fmt: skip

    assert error.value.code == "role_not_held"


def test_a_course_cannot_end_before_it_starts(
    quality_manager: User, examiner: User, candidate_person: Person
) -> None:
    with pytest.raises(DomainError) as error:
        record_training(
            actor=quality_manager, trainer=examiner, person=candidate_person, course="Course",
            started_on=dt.date(2026, 2, 1), ended_on=dt.date(2026, 1, 1),
        )  # fmt: skip

    assert error.value.code == "end_before_start"


def test_a_course_needs_a_name(
    quality_manager: User, examiner: User, candidate_person: Person
) -> None:
    with pytest.raises(DomainError) as error:
        record_training(
            actor=quality_manager, trainer=examiner, person=candidate_person, course="  ",
            started_on=dt.date(2026, 2, 1),
        )  # fmt: skip

    assert error.value.code == "course_required"


def test_the_same_training_is_recorded_once(
    quality_manager: User, examiner: User, candidate_person: Person
) -> None:
    def record() -> None:
        record_training(
            actor=quality_manager, trainer=examiner, person=candidate_person, course="Course",
            started_on=dt.date(2026, 2, 1),
        )  # fmt: skip

    record()
    with pytest.raises(DomainError) as error:
        record()

    assert error.value.code == "already_recorded"


@pytest.mark.parametrize(
    ("started_on", "ended_on", "years", "expected"),
    [
        (dt.date(2024, 6, 1), dt.date(2024, 6, 15), 2, True),  # ended exactly two years before
        (dt.date(2024, 6, 1), dt.date(2024, 6, 14), 2, False),  # a day outside the window
        (dt.date(2024, 6, 1), dt.date(2024, 6, 14), 3, True),  # a scheme with a longer window
        (dt.date(2020, 1, 1), None, 2, True),  # ongoing training always counts
        (dt.date(2026, 7, 1), None, 2, False),  # not started yet on that day
        (dt.date(2026, 6, 15), dt.date(2026, 6, 20), 2, True),  # starts on the day itself
    ],
)
def test_trained_within_counts_courses_in_the_look_back_window(
    quality_manager: User,
    examiner: User,
    candidate_person: Person,
    started_on: dt.date,
    ended_on: dt.date | None,
    years: int,
    expected: bool,
) -> None:
    record_training(
        actor=quality_manager, trainer=examiner, person=candidate_person, course="Course",
        started_on=started_on, ended_on=ended_on,
    )  # fmt: skip

    assert trained_within(examiner, candidate_person, years=years, on=TODAY) is expected
    assert (
        examiner.pk in list_trainer_ids_for(candidate_person, years=years, on=TODAY)
    ) is expected


def test_trained_within_is_about_one_trainer_and_one_person(
    quality_manager: User, examiner: User, candidate_person: Person, outsider: User
) -> None:
    other_trainer = make_staff(RoleCode.EXAMINER)
    record_training(
        actor=quality_manager, trainer=examiner, person=candidate_person, course="Course",
        started_on=timezone.localdate(),
    )  # fmt: skip

    assert trained_within(examiner, candidate_person)
    assert not trained_within(other_trainer, candidate_person)
    assert not trained_within(examiner, Person.objects.get(user=outsider))


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (dt.date(2026, 3, 1), 2, dt.date(2024, 3, 1)),
        (dt.date(2028, 2, 29), 1, dt.date(2027, 2, 28)),
        (dt.date(2028, 2, 29), 4, dt.date(2024, 2, 29)),
    ],
)
def test_years_before_keeps_the_calendar_day(day: dt.date, years: int, expected: dt.date) -> None:
    assert years_before(day, years) == expected
