from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class ApplicationSummaryOut(Schema):
    reference: str
    scheme: str
    scheme_version: str
    status: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_scheme(obj: Any) -> str:
        return str(obj["scheme"] if isinstance(obj, dict) else obj.scheme.code)

    @staticmethod
    def resolve_scheme_version(obj: Any) -> str:
        return str(obj["scheme_version"] if isinstance(obj, dict) else obj.scheme_version.version)


class EvidenceOut(Schema):
    id: int
    prerequisite: str | None
    kind: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class InformationRequestOut(Schema):
    message: str
    requested_at: dt.datetime
    due_on: dt.date | None
    response: str
    responded_at: dt.datetime | None


class FindingOut(Schema):
    prerequisite: str
    result: str
    note: str


class EligibilityReviewOut(Schema):
    outcome: str
    reasons: str
    decided_at: dt.datetime
    findings: list[FindingOut]


class AccommodationOut(Schema):
    kind: str
    extra_time_percent: int | None
    status: str
    arrangements: str
    reasons: str
    decided_at: dt.datetime | None


class ApplicationOut(ApplicationSummaryOut):
    person_id: int
    requested_scope: list[str]
    employer: str
    education_summary: str
    experience_summary: str
    training_summary: str
    assessment_language: str
    register_consent: bool | None
    attestation_version: str
    attestation_sha256: str
    attestation_signed_at: dt.datetime | None
    code_of_conduct_version: str
    code_of_conduct_sha256: str
    code_of_conduct_accepted_at: dt.datetime | None
    submission_sha256: str
    withdrawn_at: dt.datetime | None
    evidence: list[EvidenceOut]
    information_requests: list[InformationRequestOut]
    eligibility_reviews: list[EligibilityReviewOut]
    accommodations: list[AccommodationOut] | None
