from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class RoleGrantOut(Schema):
    role: str
    scheme_id: int | None
    active: bool


class MeOut(Schema):
    id: int
    email: str
    given_names: str
    family_name: str
    preferred_language: str
    person_id: int | None
    roles: list[RoleGrantOut]


class PersonOut(Schema):
    id: int
    given_names: str
    family_name: str
    email: str
    preferred_language: str


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=2)
    expires_at: dt.datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown once; only its hash is stored.")
