from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class BankOut(Schema):
    slug: str
    name: str
    scheme_code: str
    item_count: int


class ItemSummaryOut(Schema):
    identifier: str
    status: str
    version: int | None
    interaction: str | None
    title: str | None
    domain: str | None
    cognitive_level: str
    tags: list[str]
    max_score: float | None
    exposure_count: int


class ItemOut(ItemSummaryOut):
    content: dict[str, Any]
    language: str
    references: str
    updated_at: dt.datetime


class FormEntryOut(Schema):
    position: int
    item_identifier: str
    item_version_id: int
    version: int
    points: float


class FormOut(Schema):
    code: str
    status: str
    blueprint: str
    time_limit_minutes: int
    entries: list[FormEntryOut]
