"""Certificates and holders for the lifecycle tests (certification's and recertification's).

Certificates are issued through the real issuing service (via certification's factories), so
they carry a real number, seal, PDF and first status row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_candidate, make_staff
from peritus.certification.models import Certificate
from peritus.certification.tests.factories import make_certificate
from peritus.schemes.models import SchemeVersion
from peritus.schemes.tests.factories import make_published_version


def make_holder(email: str = "holder@peritus.example", **fields: Any) -> Person:
    """A certified person with a login and an email address (so notices can be sent)."""
    user = make_candidate(email=email, **fields)
    return Person.objects.get(user=user)


def make_valid_certificate(
    *,
    holder: Person | None = None,
    version: SchemeVersion | None = None,
    valid_from: dt.date | None = None,
    officer: User | None = None,
    **fields: Any,
) -> Certificate:
    """A valid certificate carrying both scope levels (L1, L2) of a published scheme version."""
    holder = holder or make_holder()
    version = version or make_published_version()
    if valid_from is not None:
        fields.setdefault("decided_at", dt.datetime.combine(valid_from, dt.time(9), tzinfo=dt.UTC))
    return make_certificate(
        person=holder,
        scheme_version=version,
        valid_from=valid_from,
        officer=officer or make_staff(RoleCode.CERTIFICATION_OFFICER),
        **fields,
    )


def reload(certificate: Certificate) -> Certificate:
    """The row as stored (FSM fields are not reloaded by refresh_from_db)."""
    return Certificate.objects.select_related("holder", "scheme", "scheme_version").get(
        pk=certificate.pk
    )
