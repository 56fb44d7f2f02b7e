"""Factories and helpers for impartiality records (tests only)."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_candidate, make_staff


def person_of(user: User) -> Person:
    return Person.objects.get(user=user)


def make_person(**fields: Any) -> Person:
    return person_of(make_candidate(**fields))


def make_quality_manager(**fields: Any) -> User:
    return make_staff(RoleCode.QUALITY_MANAGER, **fields)


def make_committee_member(**fields: Any) -> User:
    return make_staff(RoleCode.IMPARTIALITY_COMMITTEE, **fields)


def office_client(user: User) -> Client:
    """A client signed in as `user` with a second factor, as the back office requires."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp", "id": 1},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client
