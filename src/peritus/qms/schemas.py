from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Schema

from peritus.qms.selectors import age_in_days


class ActionStepOut(Schema):
    description: str
    owner: str
    due_on: dt.date
    completed_at: dt.datetime | None
    completion_note: str

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj.owner.email)


class EffectivenessCheckOut(Schema):
    checked_by: str
    checked_at: dt.datetime
    effective: bool
    evidence: str

    @staticmethod
    def resolve_checked_by(obj: Any) -> str:
        return str(obj.checked_by.email)


class CorrectiveActionSummaryOut(Schema):
    reference: str
    kind: str
    source: str
    source_reference: str
    title: str
    owner: str
    status: str
    raised_at: dt.datetime
    due_on: dt.date
    closed_at: dt.datetime | None
    overdue: bool
    age_days: int

    @staticmethod
    def resolve_source_reference(obj: Any) -> str:
        return str(obj.source_label)

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj.owner.email)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        today = timezone.localdate()
        return not obj.is_finished and (
            obj.due_on < today or bool(getattr(obj, "has_overdue_step", False))
        )

    @staticmethod
    def resolve_age_days(obj: Any) -> int:
        return age_in_days(obj)


class CorrectiveActionOut(CorrectiveActionSummaryOut):
    description: str
    containment: str
    root_cause: str
    closure_summary: str
    steps: list[ActionStepOut]
    effectiveness_checks: list[EffectivenessCheckOut]

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())

    @staticmethod
    def resolve_effectiveness_checks(obj: Any) -> list[Any]:
        return list(obj.effectiveness_checks.all())
