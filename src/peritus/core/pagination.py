"""API pagination with bounded numbers: an offset beyond the database's integer range is a 422,
not a 500 (found by fuzzing: SQLite answers 'datatype mismatch')."""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_OFFSET = 1_000_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            getattr(settings, "NINJA_PAGINATION_PER_PAGE", 50),
            ge=1,
            le=getattr(settings, "NINJA_PAGINATION_MAX_LIMIT", 500),
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
