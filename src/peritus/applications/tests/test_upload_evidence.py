from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from peritus.accounts.models import User
from peritus.applications.errors import (
    ApplicationError,
    ApplicationInputError,
    ApplicationNotPermittedError,
)
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import Application, ApplicationStatus, EvidenceFile
from peritus.applications.services import remove_evidence, upload_evidence
from peritus.applications.tests.factories import MINIMAL_PDF, MINIMAL_PNG, make_application
from peritus.audit_trail.models import AuditEvent
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _upload(
    application: Application, user: User, content: bytes, name: str = "diploma.pdf"
) -> EvidenceFile:
    return upload_evidence(
        actor=user, application=application, upload=io.BytesIO(content), name=name, kind="education",
        prerequisite=application.scheme_version.prerequisites.first(),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("content", "content_type", "extension"),
    [(MINIMAL_PDF, "application/pdf", "pdf"), (MINIMAL_PNG, "image/png", "png"),
     (JPEG_HEAD, "image/jpeg", "jpg")],
)  # fmt: skip
def test_pdf_png_and_jpeg_are_stored_under_a_random_name(
    draft: Application, candidate: User, content: bytes, content_type: str, extension: str
) -> None:
    evidence = _upload(draft, candidate, content, name="../../etc/My diploma.pdf")

    assert evidence.content_type == content_type
    assert evidence.original_name == "My diploma.pdf"
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    stored_name = str(evidence.file.name)
    assert stored_name.startswith(f"evidence/{draft.reference}/")
    assert stored_name.endswith(f".{extension}")
    assert "diploma" not in stored_name
    with default_storage.open(stored_name) as stored:
        assert stored.read() == content
    event = AuditEvent.objects.get(event_type=ApplicationsEvent.EVIDENCE_UPLOADED)
    assert event.data["sha256"] == evidence.sha256


def test_a_renamed_executable_is_refused(draft: Application, candidate: User) -> None:
    with pytest.raises(ApplicationInputError) as error:
        _upload(draft, candidate, WINDOWS_EXECUTABLE, name="diploma.pdf")

    assert error.value.code == "file_type_not_allowed"
    assert (
        not EvidenceFile.objects.filter(application=draft)
        .exclude(pk__in=[])
        .filter(original_name="diploma.pdf")
        .exists()
    )


def test_a_pdf_with_a_script_is_refused(draft: Application, candidate: User) -> None:
    content = MINIMAL_PDF.replace(
        b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"
    )

    with pytest.raises(ApplicationInputError) as error:
        _upload(draft, candidate, content)

    assert error.value.code == "file_active_content"


def test_an_empty_file_is_refused(draft: Application, candidate: User) -> None:
    with pytest.raises(ApplicationInputError) as error:
        _upload(draft, candidate, b"")

    assert error.value.code == "file_empty"


@override_settings(PERITUS_EVIDENCE_MAX_BYTES=100)
def test_a_file_above_the_size_limit_is_refused(draft: Application, candidate: User) -> None:
    with pytest.raises(ApplicationInputError) as error:
        _upload(draft, candidate, MINIMAL_PDF + b"%" * 100)

    assert error.value.code == "file_too_large"


@override_settings(PERITUS_EVIDENCE_MAX_FILES=1)
def test_the_number_of_files_is_limited(draft: Application, candidate: User) -> None:
    with pytest.raises(ApplicationError) as error:
        _upload(draft, candidate, MINIMAL_PDF)

    assert error.value.code == "too_many_files"


def test_evidence_for_a_requirement_of_another_scheme_is_refused(
    draft: Application, candidate: User
) -> None:
    foreign = make_published_version().prerequisites.get()

    with pytest.raises(ApplicationInputError) as error:
        upload_evidence(
            actor=candidate, application=draft, upload=io.BytesIO(MINIMAL_PDF), name="x.pdf",
            kind="education", prerequisite=foreign,
        )  # fmt: skip

    assert error.value.code == "wrong_application"


def test_a_submitted_application_takes_no_new_files(
    submitted: Application, candidate: User
) -> None:
    with pytest.raises(ApplicationError) as error:
        _upload(submitted, candidate, MINIMAL_PDF)

    assert error.value.code == "invalid_status"


def test_files_can_be_added_when_more_information_is_asked(candidate: User) -> None:
    application = make_application(
        user=candidate, status=ApplicationStatus.MORE_INFORMATION_REQUESTED
    )

    assert _upload(application, candidate, MINIMAL_PDF).pk


def test_only_the_applicant_uploads(draft: Application, outsider: User) -> None:
    with pytest.raises(ApplicationNotPermittedError):
        _upload(draft, outsider, MINIMAL_PDF)


def test_a_file_is_removed_from_a_draft_with_its_stored_copy(
    draft: Application, candidate: User, django_capture_on_commit_callbacks: Any
) -> None:
    evidence = _upload(draft, candidate, MINIMAL_PDF)
    name = str(evidence.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(actor=candidate, evidence=evidence)

    assert not EvidenceFile.objects.filter(pk=evidence.pk).exists()
    assert not default_storage.exists(name)
    assert AuditEvent.objects.filter(event_type=ApplicationsEvent.EVIDENCE_REMOVED).count() == 1


def test_submitted_evidence_is_part_of_the_record(submitted: Application, candidate: User) -> None:
    evidence = submitted.evidence_files.get()

    with pytest.raises(ApplicationError):
        remove_evidence(actor=candidate, evidence=evidence)

    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()


def test_script_names_inside_compressed_streams_are_not_false_alarms(
    draft: Application, candidate: User
) -> None:
    content = MINIMAL_PDF.replace(
        b"trailer", b"3 0 obj<</Length 9>>stream\n\x00/JS \x01\x02\nendstream\nendobj\ntrailer"
    )

    assert _upload(draft, candidate, content).content_type == "application/pdf"
