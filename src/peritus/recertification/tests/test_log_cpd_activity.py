from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import override_settings

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.recertification.errors import (
    RecertificationInputError,
    RecertificationNotPermittedError,
)
from peritus.recertification.events import RecertificationEvent
from peritus.recertification.models import CpdActivity
from peritus.recertification.services import log_cpd_activity
from peritus.recertification.tests.factories import (
    PDF_BYTES,
    at,
    issued_certificate,
    log_hours,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def test_the_holder_logs_an_activity_with_its_evidence() -> None:
    certificate = issued_certificate()
    with at(dt.date(2026, 9, 1)):
        activity = log_hours(certificate, "7.5", completed_on=dt.date(2026, 8, 20))

    stored = CpdActivity.objects.get(pk=activity.pk)
    assert stored.hours == 7.5
    assert stored.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert stored.content_type == "application/pdf"
    assert stored.original_name == "certificate.pdf"
    assert "certificate.pdf" not in str(stored.file.name)
    event = AuditEvent.objects.get(event_type=RecertificationEvent.CPD_LOGGED)
    assert event.data["hours"] == "7.5"


def test_someone_else_cannot_log_cpd_on_my_certificate(outsider: User) -> None:
    certificate = issued_certificate()
    with at(dt.date(2026, 9, 1)), pytest.raises(RecertificationNotPermittedError) as refused:
        log_cpd_activity(
            actor=outsider,
            certificate=certificate,
            category="general",
            title="Course",
            completed_on=dt.date(2026, 8, 1),
            hours="2",
            upload=pdf_upload(),
            name="x.pdf",
        )
    assert refused.value.code == "not_holder"


@pytest.mark.parametrize(
    ("completed_on", "code"),
    [(dt.date(2026, 2, 28), "before_cycle"), (dt.date(2026, 9, 2), "completed_in_future")],
)
def test_an_activity_outside_the_cycle_is_refused(completed_on: dt.date, code: str) -> None:
    certificate = issued_certificate()
    with at(dt.date(2026, 9, 1)), pytest.raises(RecertificationInputError) as refused:
        log_hours(certificate, "2", completed_on=completed_on)
    assert refused.value.code == code


def test_a_file_that_is_not_a_pdf_or_image_is_refused_whatever_its_name() -> None:
    certificate = issued_certificate()
    user = certificate.holder.user
    assert user is not None
    with at(dt.date(2026, 9, 1)), pytest.raises(RecertificationInputError) as refused:
        log_cpd_activity(
            actor=user,
            certificate=certificate,
            category="general",
            title="Course",
            completed_on=dt.date(2026, 8, 1),
            hours="2",
            upload=pdf_upload(b"MZ\x90\x00 an executable"),
            name="certificate.pdf",
        )
    assert refused.value.code == "file_type_not_allowed"
    assert not CpdActivity.objects.exists()


@override_settings(PERITUS_EVIDENCE_MAX_BYTES=64)
def test_a_file_over_the_evidence_limit_is_refused() -> None:
    certificate = issued_certificate()
    with at(dt.date(2026, 9, 1)), pytest.raises(RecertificationInputError) as refused:
        log_hours(certificate, "2")
    assert refused.value.code == "file_too_large"


@pytest.mark.parametrize(
    ("hours", "code"),
    [("0", "invalid_hours"), ("lots", "invalid_hours"), ("NaN", "invalid_hours"),
     ("Infinity", "invalid_hours")],
)  # fmt: skip
def test_hours_must_be_a_sensible_number(hours: str, code: str) -> None:
    certificate = issued_certificate()
    with at(dt.date(2026, 9, 1)), pytest.raises(RecertificationInputError) as refused:
        log_hours(certificate, hours)
    assert refused.value.code == code


def test_an_unknown_category_is_refused() -> None:
    certificate = issued_certificate()
    with at(dt.date(2026, 9, 1)), pytest.raises(RecertificationInputError) as refused:
        log_hours(certificate, "2", category="cooking")
    assert refused.value.code == "unknown_category"


def test_an_officer_records_cpd_a_holder_sent_by_post() -> None:
    from peritus.accounts.roles import RoleCode
    from peritus.recertification.tests.factories import staff

    certificate = issued_certificate()
    with at(dt.date(2026, 9, 1)):
        officer = staff(RoleCode.CERTIFICATION_OFFICER)
        activity = log_cpd_activity(
            actor=officer,
            certificate=certificate,
            category="general",
            title="Course (sent by post)",
            completed_on=dt.date(2026, 8, 1),
            hours="2",
            upload=pdf_upload(),
            name="scan.pdf",
        )
    assert activity.logged_by == officer
    event = AuditEvent.objects.get(event_type=RecertificationEvent.CPD_LOGGED)
    assert event.actor_role == "certification_officer"
