from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from peritus.complaints.selectors import overdue_deadlines
from peritus.qms.selectors import list_corrective_actions_for


class ComplaintSummaryOut(Schema):
    reference: str
    channel: str
    about: str
    status: str
    received_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledge_due_on: dt.date
    triage_due_on: dt.date
    resolution_due_on: dt.date
    triage_category: str
    handler: str | None
    outcome: str
    closed_at: dt.datetime | None
    missed_deadlines: list[str]

    @staticmethod
    def resolve_handler(obj: Any) -> str | None:
        return str(obj.handler.email) if obj.handler is not None else None

    @staticmethod
    def resolve_missed_deadlines(obj: Any) -> list[str]:
        return overdue_deadlines(obj)


class ComplaintUpdateOut(Schema):
    created_at: dt.datetime
    message: str


class ComplaintOut(ComplaintSummaryOut):
    subject_description: str
    description: str
    triage_reasons: str
    subject_certificate: str | None
    findings: str
    publicity: str
    updates: list[ComplaintUpdateOut]
    corrective_actions: list[str]

    @staticmethod
    def resolve_subject_certificate(obj: Any) -> str | None:
        certificate = obj.subject_certificate
        return str(certificate.number) if certificate is not None else None

    @staticmethod
    def resolve_updates(obj: Any) -> list[Any]:
        return list(obj.updates.all())

    @staticmethod
    def resolve_corrective_actions(obj: Any) -> list[str]:
        return [action.reference for action in list_corrective_actions_for(obj)]
