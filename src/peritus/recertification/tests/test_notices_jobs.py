from __future__ import annotations

import datetime as dt

import pytest

from peritus.accounts.roles import RoleCode
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage
from peritus.recertification.events import RecertificationEvent
from peritus.recertification.jobs import surveillance_notices, window_notices
from peritus.recertification.models import NoticeKind, RecertificationNotice
from peritus.recertification.services import review_submission
from peritus.recertification.tests.factories import (
    at,
    issued_certificate,
    staff,
    submit_surveillance_as_holder,
)
from peritus.scheduling.registry import registered_jobs

pytestmark = pytest.mark.django_db


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def sent(template: str) -> int:
    return OutboxMessage.objects.filter(template=template).count()


def test_the_jobs_are_registered_for_tick() -> None:
    names = {job.name for job in registered_jobs()}
    assert {"recertification-surveillance-notices", "recertification-window-notices"} <= names


def test_nothing_is_sent_before_surveillance_opens() -> None:
    issued_certificate()
    with at(dt.date(2027, 1, 29)):
        assert surveillance_notices(noon(dt.date(2027, 1, 29))) == "0 due and 0 overdue notices"
    assert sent("recertification_surveillance_due") == 0


def test_the_due_notice_goes_once_when_surveillance_opens() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 1, 30)):
        first = surveillance_notices(noon(dt.date(2027, 1, 30)))
        second = surveillance_notices(noon(dt.date(2027, 1, 30)))
    with at(dt.date(2027, 2, 15)):
        later = surveillance_notices(noon(dt.date(2027, 2, 15)))

    assert first == "1 due and 0 overdue notices"
    assert second == later == "0 due and 0 overdue notices"
    notice = OutboxMessage.objects.get(template="recertification_surveillance_due")
    assert certificate.number in notice.subject
    assert RecertificationNotice.objects.get().for_date == dt.date(2027, 3, 1)
    event = AuditEvent.objects.get(event_type=RecertificationEvent.NOTICES_SENT)
    assert event.data["notices"] == [{"number": certificate.number, "for_date": "2027-03-01"}]


def test_a_late_run_sends_the_overdue_notice_once() -> None:
    issued_certificate()
    with at(dt.date(2027, 3, 25)):
        first = surveillance_notices(noon(dt.date(2027, 3, 25)))
        again = surveillance_notices(noon(dt.date(2027, 3, 25)))
    assert first == "0 due and 1 overdue notices"
    assert again == "0 due and 0 overdue notices"
    assert RecertificationNotice.objects.get().kind == NoticeKind.SURVEILLANCE_OVERDUE


def test_after_the_catch_up_period_no_stale_overdue_notice_goes() -> None:
    issued_certificate()
    with at(dt.date(2027, 4, 10)):
        assert surveillance_notices(noon(dt.date(2027, 4, 10))) == "0 due and 0 overdue notices"


def test_due_then_overdue_each_go_once() -> None:
    issued_certificate()
    days = [dt.date(2027, 2, 1), dt.date(2027, 3, 1), dt.date(2027, 3, 2), dt.date(2027, 3, 20)]
    results = []
    for day in days:
        with at(day):
            results.append(surveillance_notices(noon(day)))
    assert results == [
        "1 due and 0 overdue notices",
        "0 due and 0 overdue notices",
        "0 due and 1 overdue notices",
        "0 due and 0 overdue notices",
    ]


def test_no_overdue_notice_while_a_submission_awaits_review() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 20)):
        submit_surveillance_as_holder(certificate)
    with at(dt.date(2027, 3, 5)):
        assert surveillance_notices(noon(dt.date(2027, 3, 5))) == "0 due and 0 overdue notices"


def test_after_accepted_surveillance_the_next_year_is_noticed() -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 20)):
        submission = submit_surveillance_as_holder(certificate)
        review_submission(
            actor=staff(RoleCode.ELIGIBILITY_REVIEWER),
            submission=submission,
            positive=True,
            findings="Fine.",
        )
    with at(dt.date(2027, 3, 5)):
        assert surveillance_notices(noon(dt.date(2027, 3, 5))) == "0 due and 0 overdue notices"
    with at(dt.date(2028, 2, 1)):
        assert surveillance_notices(noon(dt.date(2028, 2, 1))) == "1 due and 0 overdue notices"
    assert RecertificationNotice.objects.get().for_date == dt.date(2028, 3, 1)


def test_the_window_notice_goes_once_when_the_window_opens() -> None:
    certificate = issued_certificate()
    with at(dt.date(2028, 8, 31)):
        before = window_notices(noon(dt.date(2028, 8, 31)))
    with at(dt.date(2028, 9, 1)):
        opened = window_notices(noon(dt.date(2028, 9, 1)))
        twice = window_notices(noon(dt.date(2028, 9, 1)))
    with at(dt.date(2029, 1, 1)):
        later = window_notices(noon(dt.date(2029, 1, 1)))

    assert before == "0 recertification window notices"
    assert opened == "1 recertification window notices"
    assert twice == later == "0 recertification window notices"
    notice = OutboxMessage.objects.get(template="recertification_window_opened")
    assert certificate.number in notice.subject


def test_no_window_notice_for_an_expired_certificate() -> None:
    issued_certificate()
    with at(dt.date(2029, 3, 5)):
        assert window_notices(noon(dt.date(2029, 3, 5))) == "0 recertification window notices"


def test_tick_sends_the_window_notice_once_even_when_forced_twice() -> None:
    from io import StringIO

    from django.core.management import call_command

    issued_certificate()
    outputs = []
    with at(dt.date(2028, 9, 2)):
        for _ in range(2):
            out = StringIO()
            call_command(
                "tick",
                "--now",
                "2028-09-02T02:00:00+00:00",
                "--job",
                "recertification-window-notices",
                "--force",
                stdout=out,
            )
            outputs.append(out.getvalue())
    assert "1 recertification window notices" in outputs[0]
    assert "0 recertification window notices" in outputs[1]
    assert sent("recertification_window_opened") == 1
