from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.applications.models import Application
from peritus.applications.tests.factories import MINIMAL_PDF, MINIMAL_PNG
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import AssessmentEvent, ComponentResult, ResultAttachment
from peritus.exams.services import add_attachment, release_result
from peritus.exams.tests.factories import mark, ready_to_mark

pytestmark = pytest.mark.django_db


@pytest.fixture
def result(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> ComponentResult:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    return mark(examiner, entry, 80)


def test_the_marker_attaches_a_marked_script(examiner: User, result: ComponentResult) -> None:
    upload = SimpleUploadedFile("script.pdf", MINIMAL_PDF, content_type="text/plain")

    attachment = add_attachment(
        actor=examiner, result=result, upload=upload, description="Marked answer sheet"
    )

    assert attachment.content_type == "application/pdf"  # sniffed, not the declared type
    assert attachment.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert attachment.original_name == "script.pdf"
    assert "script" not in str(attachment.file.name)  # stored under a random name
    with attachment.file.open("rb") as stored:
        assert stored.read() == MINIMAL_PDF
    assert AuditEvent.objects.filter(event_type=ExamsEvent.ATTACHMENT_ADDED).exists()


def test_an_image_is_accepted(examiner: User, result: ComponentResult) -> None:
    attachment = add_attachment(
        actor=examiner, result=result, upload=SimpleUploadedFile("photo.png", MINIMAL_PNG)
    )

    assert attachment.content_type == "image/png"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"MZ\x90\x00 an executable", "file_type_not_allowed"),
        (b"<html><script>alert(1)</script>", "file_type_not_allowed"),
        (b"", "empty_file"),
    ],
)
def test_other_files_are_refused(
    examiner: User, result: ComponentResult, content: bytes, code: str
) -> None:
    with pytest.raises(DomainError) as error:
        add_attachment(actor=examiner, result=result, upload=SimpleUploadedFile("x.pdf", content))

    assert error.value.code == code
    assert not ResultAttachment.objects.exists()


def test_a_file_over_the_limit_is_refused(
    examiner: User, result: ComponentResult, settings: object
) -> None:
    settings.PERITUS_EXAMS_MAX_ATTACHMENT_BYTES = 100  # type: ignore[attr-defined]

    with pytest.raises(DomainError) as error:
        add_attachment(
            actor=examiner, result=result,
            upload=SimpleUploadedFile("big.pdf", MINIMAL_PDF + b" " * 200),
        )  # fmt: skip

    assert error.value.code == "file_too_large"


def test_nobody_outside_the_event_attaches(result: ComponentResult) -> None:
    with pytest.raises(DomainError) as error:
        add_attachment(
            actor=make_staff(RoleCode.EXAMINER), result=result,
            upload=SimpleUploadedFile("x.pdf", MINIMAL_PDF),
        )  # fmt: skip

    assert error.value.code == "not_assigned"


def test_a_released_result_takes_no_more_files(
    officer: User, examiner: User, result: ComponentResult
) -> None:
    release_result(actor=officer, result=result)

    with pytest.raises(DomainError) as error:
        add_attachment(
            actor=examiner, result=result, upload=SimpleUploadedFile("x.pdf", MINIMAL_PDF)
        )

    assert error.value.code == "result_released"
