from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class SchemeRef(Schema):
    code: str
    name: str


class ComponentRef(Schema):
    code: str
    name: str
    kind: str
    max_score: Decimal
    pass_mark: Decimal


class EventOut(Schema):
    id: int
    reference: str
    scheme: SchemeRef
    scheme_version: str
    component: ComponentRef
    starts_at: dt.datetime
    duration_minutes: int
    delivery: str
    location: str
    status: str

    @staticmethod
    def resolve_scheme_version(obj: object) -> str:
        return str(obj.scheme_version.version)  # type: ignore[attr-defined]


class ResultOut(Schema):
    id: int
    application_reference: str
    scheme: SchemeRef
    component: ComponentRef
    event_reference: str
    sat_at: dt.datetime
    score: Decimal
    passed: bool
    feedback: str
    released_at: dt.datetime

    @staticmethod
    def resolve_application_reference(obj: object) -> str:
        return str(obj.application.reference)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_scheme(obj: object) -> object:
        return obj.application.scheme  # type: ignore[attr-defined]

    @staticmethod
    def resolve_event_reference(obj: object) -> str:
        return str(obj.event.reference)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_sat_at(obj: object) -> dt.datetime:
        return obj.event.starts_at  # type: ignore[attr-defined, no-any-return]
