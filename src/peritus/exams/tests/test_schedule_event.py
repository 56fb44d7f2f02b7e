from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import EventStatus
from peritus.exams.services import schedule_event
from peritus.schemes.models import AssessmentComponent, SchemeVersionStatus
from peritus.schemes.tests.factories import make_complete_version, make_scheme

pytestmark = pytest.mark.django_db

STARTS = timezone.make_aware(dt.datetime(2026, 12, 3, 9, 0))


def test_an_officer_schedules_a_sitting_of_a_component(
    officer: User, component: AssessmentComponent
) -> None:
    event = schedule_event(
        actor=officer, component=component, starts_at=STARTS, location="Oslo, room 4", capacity=12,
        duration_minutes=120,
    )  # fmt: skip

    assert event.status == EventStatus.SCHEDULED
    assert event.scheme_version == component.scheme_version
    assert event.scheme_id == component.scheme_version.scheme_id
    assert event.reference.startswith("E-")
    assert event.marking_tolerance == Decimal("10.00")  # 10 % of the maximum score by default
    audit = AuditEvent.objects.get(event_type=ExamsEvent.EVENT_SCHEDULED)
    assert audit.subject_id == str(event.pk)


def test_the_duration_defaults_to_the_component_s(
    officer: User, component: AssessmentComponent
) -> None:
    AssessmentComponent.objects.filter(pk=component.pk).update(duration_minutes=45)
    component.refresh_from_db()

    event = schedule_event(
        actor=officer, component=component, starts_at=STARTS, location="Online", capacity=3,
        delivery="online",
    )  # fmt: skip

    assert event.duration_minutes == 45


def test_only_a_certification_officer_schedules(
    examiner: User, component: AssessmentComponent
) -> None:
    with pytest.raises(DomainError) as error:
        schedule_event(
            actor=examiner, component=component, starts_at=STARTS, location="X", capacity=1,
            duration_minutes=60,
        )  # fmt: skip

    assert error.value.code == "role_not_held"


def test_an_officer_of_another_scheme_cannot_schedule(component: AssessmentComponent) -> None:
    other_officer = make_staff(RoleCode.CERTIFICATION_OFFICER, scheme=make_scheme())

    with pytest.raises(DomainError) as error:
        schedule_event(
            actor=other_officer, component=component, starts_at=STARTS, location="X", capacity=1,
            duration_minutes=60,
        )  # fmt: skip

    assert error.value.code == "role_not_held"


def test_a_draft_version_is_not_assessed(officer: User) -> None:
    draft = make_complete_version(status=SchemeVersionStatus.DRAFT)

    with pytest.raises(DomainError) as error:
        schedule_event(
            actor=officer, component=draft.components.get(), starts_at=STARTS, location="X",
            capacity=1, duration_minutes=60,
        )  # fmt: skip

    assert error.value.code == "version_not_in_use"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"location": "  "}, "location_required"),
        ({"capacity": 0}, "capacity_too_small"),
        ({"delivery": "by post"}, "unknown_delivery"),
        ({"duration_minutes": None}, "duration_required"),
        ({"marking_tolerance": Decimal(101)}, "tolerance_out_of_range"),
    ],
)
def test_a_malformed_event_is_refused(
    officer: User, component: AssessmentComponent, changes: dict[str, object], code: str
) -> None:
    values: dict[str, object] = {"location": "Room 1", "capacity": 5, "duration_minutes": 60}
    values.update(changes)

    with pytest.raises(DomainError) as error:
        schedule_event(actor=officer, component=component, starts_at=STARTS, **values)  # type: ignore[arg-type]

    assert error.value.code == code
