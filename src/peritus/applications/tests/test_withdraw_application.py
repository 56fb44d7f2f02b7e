from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.applications.errors import ApplicationError, ApplicationNotPermittedError
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.services import withdraw_application
from peritus.applications.tests.factories import make_application
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "status",
    [ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE],
)
def test_the_applicant_withdraws_and_the_record_stays(candidate: User, status: str) -> None:
    application = make_application(user=candidate, status=status)

    withdraw_application(actor=candidate, application=application, reason="Changed employer")

    application = Application.objects.get(pk=application.pk)
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.withdrawal_reason == "Changed employer"
    event = AuditEvent.objects.get(event_type=ApplicationsEvent.WITHDRAWN)
    assert event.data == {"from_status": status}
    assert OutboxMessage.objects.filter(template="applications_withdrawn").count() == 1


def test_a_closed_application_is_not_withdrawn(candidate: User) -> None:
    application = make_application(user=candidate, status=ApplicationStatus.NOT_ELIGIBLE)

    with pytest.raises(ApplicationError) as error:
        withdraw_application(actor=candidate, application=application)

    assert error.value.code == "invalid_status"


def test_staff_do_not_withdraw_for_the_applicant(candidate: User, officer: User) -> None:
    application = make_application(user=candidate, status=ApplicationStatus.SUBMITTED)

    with pytest.raises(ApplicationNotPermittedError):
        withdraw_application(actor=officer, application=application)
