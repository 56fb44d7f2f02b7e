from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from peritus.accounts.roles import RoleCode
from peritus.recertification.schedule import due_for, surveillance_points, window_opens_on
from peritus.recertification.services import set_recertification_policy
from peritus.recertification.tests.factories import (
    at,
    issued_certificate,
    log_hours,
    reload,
    set_hours_required,
    staff,
)

pytestmark = pytest.mark.django_db


def test_surveillance_falls_every_interval_before_the_recertification_window() -> None:
    points = surveillance_points(
        dt.date(2026, 3, 1), dt.date(2029, 2, 28), interval_months=12, window_months=6
    )
    assert points == [dt.date(2027, 3, 1), dt.date(2028, 3, 1)]
    assert window_opens_on(dt.date(2029, 2, 28), 6) == dt.date(2028, 9, 1)


def test_a_scheme_without_an_interval_has_no_surveillance() -> None:
    assert (
        surveillance_points(
            dt.date(2026, 3, 1), dt.date(2029, 2, 28), interval_months=None, window_months=6
        )
        == []
    )


def test_what_is_due_for_a_certificate_in_its_first_year() -> None:
    certificate = issued_certificate()
    with at(dt.date(2026, 12, 1)):
        due = due_for(certificate, today=dt.date(2026, 12, 1))

    assert due.cycle_starts_on == dt.date(2026, 3, 1)
    assert due.next_surveillance_on == dt.date(2027, 3, 1)
    assert due.surveillance_opens_on == dt.date(2027, 1, 30)
    assert not due.surveillance_open
    assert not due.surveillance_overdue
    assert due.window_opens_on == dt.date(2028, 9, 1)
    assert due.grace_ends_on == dt.date(2029, 2, 28)
    assert not due.window_open


def test_surveillance_is_overdue_the_day_after_it_is_due() -> None:
    certificate = issued_certificate()
    assert not due_for(certificate, today=dt.date(2027, 3, 1)).surveillance_overdue
    assert due_for(certificate, today=dt.date(2027, 3, 2)).surveillance_overdue


def test_hours_are_counted_by_category_against_the_policy() -> None:
    certificate = issued_certificate()
    set_hours_required(certificate.scheme_version, 30)
    certificate = reload(certificate)
    with at(dt.date(2026, 6, 1)):
        set_recertification_policy(
            actor=staff(RoleCode.SCHEME_MANAGER),
            scheme_version=certificate.scheme_version,
            categories=[("technical", "Technical", Decimal(20)), ("ethics", "Ethics", Decimal(4))],
            spot_check_percent=Decimal(10),
        )
        log_hours(certificate, "12.5", category="technical")
        log_hours(certificate, "4", category="ethics")
        due = due_for(certificate, today=dt.date(2026, 6, 1))

    rows = {row.code: (row.logged, row.required, row.short) for row in due.hours}
    assert rows == {
        "technical": (Decimal("12.5"), Decimal(20), Decimal("7.5")),
        "ethics": (Decimal(4), Decimal(4), Decimal(0)),
    }
    assert due.rules.total_hours == Decimal(30)  # the scheme's total is more than the sum
    assert not due.hours_met
