from __future__ import annotations

import io

import pytest

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.applications.errors import (
    ApplicationError,
    ApplicationInputError,
    EligibilityImpartialityError,
)
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import (
    Accommodation,
    AccommodationStatus,
    Application,
    ApplicationStatus,
)
from peritus.applications.selectors import get_approved_accommodations
from peritus.applications.services import (
    approve_accommodation,
    refuse_accommodation,
    request_accommodation,
)
from peritus.applications.tests.factories import MINIMAL_PDF, make_accommodation, make_application
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_a_request_with_a_supporting_document_keeps_health_data_out_of_the_trail(
    submitted: Application, candidate: User
) -> None:
    accommodation = request_accommodation(
        actor=candidate,
        application=submitted,
        kind="extra_time",
        extra_time_percent=25,
        need="Diagnosed dyslexia; report from 2021 attached.",
        document=io.BytesIO(MINIMAL_PDF),
        document_name="assessment-report.pdf",
    )

    document = accommodation.supporting_documents.get()
    assert document.is_restricted
    assert document.kind == "accommodation_support"
    event = AuditEvent.objects.get(event_type=ApplicationsEvent.ACCOMMODATION_REQUESTED)
    assert event.data == {"kind": "extra_time", "documents": 1}
    assert "dyslexia" not in event.payload.lower()


@pytest.mark.parametrize(
    ("kind", "percent", "need", "code"),
    [
        ("extra_time", None, "Slow reader", "extra_time_percent_required"),
        ("extra_time", 500, "Slow reader", "extra_time_percent_required"),
        ("separate_room", None, " ", "required"),
        ("levitation", None, "Need", "required"),
    ],
)
def test_an_incomplete_request_is_refused(
    submitted: Application, candidate: User, kind: str, percent: int | None, need: str, code: str
) -> None:
    with pytest.raises(ApplicationInputError) as error:
        request_accommodation(
            actor=candidate, application=submitted, kind=kind, need=need,
            extra_time_percent=percent,
        )  # fmt: skip

    assert error.value.code == code


def test_no_request_on_a_closed_application(candidate: User) -> None:
    application = make_application(user=candidate, status=ApplicationStatus.WITHDRAWN)

    with pytest.raises(ApplicationError):
        request_accommodation(
            actor=candidate, application=application, kind="separate_room", need="Noise"
        )


def test_the_reviewer_approves_with_arrangements_and_reasons(
    submitted: Application, reviewer: User
) -> None:
    accommodation = make_accommodation(submitted)

    approve_accommodation(
        actor=reviewer,
        accommodation=accommodation,
        arrangements="25 % extra time on every written component.",
        reasons="The report supports the request.",
    )

    approved = Accommodation.objects.get(pk=accommodation.pk)
    assert approved.status == AccommodationStatus.APPROVED
    assert (approved.decided_by, approved.extra_time_percent) == (reviewer, 25)
    assert list(get_approved_accommodations(submitted)) == [approved]
    notice = OutboxMessage.objects.get(template="applications_accommodation_decided")
    assert "approved" in notice.body
    assert "supports the request" not in notice.body  # reasons stay in the portal


def test_a_refusal_needs_reasons_and_is_final(submitted: Application, reviewer: User) -> None:
    accommodation = make_accommodation(submitted)
    with pytest.raises(ApplicationInputError):
        refuse_accommodation(actor=reviewer, accommodation=accommodation, reasons="")

    refuse_accommodation(
        actor=reviewer, accommodation=accommodation, reasons="No evidence of the need."
    )

    with pytest.raises(ApplicationError) as error:
        approve_accommodation(
            actor=reviewer, accommodation=accommodation, arrangements="x", reasons="y"
        )
    assert error.value.code == "invalid_status"
    assert (
        AuditEvent.objects.filter(event_type=ApplicationsEvent.ACCOMMODATION_REFUSED).count() == 1
    )


def test_only_an_eligibility_reviewer_decides(submitted: Application, officer: User) -> None:
    with pytest.raises(RoleNotHeldError):
        refuse_accommodation(
            actor=officer, accommodation=make_accommodation(submitted), reasons="No"
        )


def test_nobody_decides_their_own_request(submitted: Application, candidate: User) -> None:
    from peritus.accounts.roles import RoleCode
    from peritus.accounts.tests.factories import grant_role

    grant_role(candidate, RoleCode.ELIGIBILITY_REVIEWER)

    with pytest.raises(EligibilityImpartialityError):
        approve_accommodation(
            actor=candidate,
            accommodation=make_accommodation(submitted),
            arrangements="x",
            reasons="y",
        )
