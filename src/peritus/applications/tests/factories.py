"""Factories for applications, evidence, accommodations and eligibility reviews."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from peritus.accounts.models import Person, User
from peritus.accounts.tests.factories import PersonFactory, UserFactory
from peritus.applications.models import (
    Accommodation,
    AccommodationKind,
    AccommodationStatus,
    Application,
    ApplicationStatus,
    EligibilityOutcome,
    EligibilityReview,
    EvidenceFile,
    EvidenceKind,
    FindingResult,
    PrerequisiteFinding,
)
from peritus.schemes.models import SchemeVersion
from peritus.schemes.tests.factories import make_published_version

# The smallest well-formed PDF: enough for the content sniffer and a browser.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
MINIMAL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def make_person(**fields: Any) -> Person:
    person: Person = PersonFactory.create(**fields)
    return person


def make_user(**fields: Any) -> User:
    user: User = UserFactory.create(**fields)
    return user


def sign(application: Application, *, at: Any = None) -> None:
    """Fill in the signatures and the register consent as the signing service would."""
    now = at or timezone.now()
    version = application.scheme_version
    application.attestation_version = f"{version.label}/attestation"
    application.attestation_sha256 = hashlib.sha256(version.attestation_text.encode()).hexdigest()
    application.attestation_signed_name = application.person.full_name
    application.attestation_signed_at = now
    application.code_of_conduct_version = f"{version.label}/code-of-conduct"
    application.code_of_conduct_sha256 = hashlib.sha256(
        version.code_of_conduct.encode()
    ).hexdigest()
    application.code_of_conduct_accepted_at = now
    application.register_consent = True
    application.register_consent_at = now


def make_application(
    *,
    person: Person | None = None,
    user: User | None = None,
    scheme_version: SchemeVersion | None = None,
    status: str = ApplicationStatus.DRAFT,
    signed: bool | None = None,
    **fields: Any,
) -> Application:
    """An application in any status; past draft it is signed and submitted."""
    if person is None:
        person = Person.objects.get(user=user) if user is not None else make_person()
    version = scheme_version or make_published_version()
    values: dict[str, Any] = {
        "employer": "Nordic Pipe Services",
        "education_summary": "Vocational diploma in welding technology, 2014.",
        "experience_summary": "Eight years as a welder, three as a weld inspector.",
        "training_summary": "Weld inspection course, 40 hours, 2023.",
    }
    values.update(fields)
    application = Application(
        person=person, scheme=version.scheme, scheme_version=version, status=status, **values
    )
    past_draft = status != ApplicationStatus.DRAFT
    if signed or (signed is None and past_draft):
        sign(application)
    if past_draft:
        application.submitted_at = application.submitted_at or timezone.now()
    application.save()
    return application


def make_evidence(
    application: Application, *, content: bytes = MINIMAL_PDF, **fields: Any
) -> EvidenceFile:
    values: dict[str, Any] = {
        "kind": EvidenceKind.EXPERIENCE,
        "description": "Employer letter",
        "content_type": "application/pdf",
        "original_name": "employer-letter.pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "uploaded_by": application.person.user or make_user(),
    }
    values.update(fields)
    evidence = EvidenceFile(application=application, **values)
    evidence.file.save("evidence", ContentFile(content), save=False)
    evidence.save()
    return evidence


def make_accommodation(application: Application, **fields: Any) -> Accommodation:
    values: dict[str, Any] = {
        "kind": AccommodationKind.EXTRA_TIME,
        "extra_time_percent": 25,
        "need": "Dyslexia assessed in 2019; reading takes me longer.",
        "status": AccommodationStatus.REQUESTED,
        "requested_by": application.person.user or make_user(),
    }
    values.update(fields)
    return Accommodation.objects.create(application=application, **values)


def make_eligible_application(*, reviewer: User | None = None, **fields: Any) -> Application:
    """An eligible application with a recorded review finding every prerequisite met."""
    reviewer = reviewer or make_user()
    now = timezone.now()
    application = make_application(
        status=ApplicationStatus.ELIGIBLE,
        assigned_reviewer=reviewer,
        review_started_at=now,
        decided_at=now,
        **fields,
    )
    review = EligibilityReview.objects.create(
        application=application,
        reviewer=reviewer,
        outcome=EligibilityOutcome.ELIGIBLE,
        reasons="Every prerequisite is met by the evidence supplied.",
        decided_at=now,
    )
    PrerequisiteFinding.objects.bulk_create(
        PrerequisiteFinding(review=review, prerequisite=prerequisite, result=FindingResult.MET)
        for prerequisite in application.scheme_version.prerequisites.all()
    )
    return application
