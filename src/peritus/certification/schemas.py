from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class SchemeVersionRef(Schema):
    code: str
    name: str
    version: str


class ScopeLineOut(Schema):
    code: str
    title: str
    level: str
    limitations: str


class CertificateOut(Schema):
    number: str
    holder_name: str
    scheme: SchemeVersionRef
    scope: list[ScopeLineOut]
    status: str = Field(description="As the public sees it today (expired once the date passed)")
    status_since: dt.date
    issued_on: dt.date
    valid_from: dt.date
    expires_on: dt.date
    revision: int
    decision: str = Field(description="Reference of the decision the certificate rests on")

    @staticmethod
    def resolve_scheme(obj: Any) -> dict[str, str]:
        return {
            "code": obj.scheme_version.scheme.code,
            "name": obj.scheme_version.scheme.name,
            "version": obj.scheme_version.version,
        }

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.public_status().status)

    @staticmethod
    def resolve_status_since(obj: Any) -> dt.date:
        since: dt.date = obj.public_status().since
        return since

    @staticmethod
    def resolve_decision(obj: Any) -> str:
        return str(obj.decision.reference)


class DecisionIn(Schema):
    outcome: str = Field(description="grant or refuse")
    rationale: str = Field(min_length=1, max_length=5000)
    scope: list[str] = Field(
        default_factory=list, max_length=50, description="Scope item codes granted (grant only)"
    )


class DecisionOut(Schema):
    reference: str
    kind: str
    outcome: str
    rationale: str
    decided_at: dt.datetime
    decided_by: str | None
    application: str | None
    scope: list[str]
    evidence_digest: str

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return obj.decided_by.email if obj.decided_by is not None else None

    @staticmethod
    def resolve_application(obj: Any) -> str | None:
        return obj.application.reference if obj.application is not None else None

    @staticmethod
    def resolve_scope(obj: Any) -> list[str]:
        return [item.code for item in obj.scope_items.all()]


class IssueIn(Schema):
    valid_from: dt.date | None = None


class ReissueIn(Schema):
    reason: str = Field(description="name_change or correction")
    note: str = Field(min_length=1, max_length=2000)


class TermsAcceptanceOut(Schema):
    terms_version: str
    terms_sha256: str
    accepted_at: dt.datetime
