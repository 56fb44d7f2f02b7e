"""Certificates and holders for the lifecycle tests (certification's and recertification's).

Certificates are issued through the real issuing service (via certification's factories), so
they carry a real number, seal, PDF and first status row.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import time_machine

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_candidate, make_staff
from peritus.certification.models import Certificate
from peritus.certification.tests.factories import make_certificate
from peritus.recertification.models import CpdActivity, Submission
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


# Surveillance, CPD and recertification --------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf_upload(content: bytes = PDF_BYTES) -> io.BytesIO:
    """A small, plain PDF as an upload stream."""
    return io.BytesIO(content)


def at(day: dt.date, hour: int = 10) -> time_machine.travel:
    """Travel to `day` (time frozen) for the `with` block."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC), tick=False)


ISSUED_ON = dt.date(2026, 3, 1)  # 36 months: valid to 28 February 2029; window from 1 Sept 2028


def issued_certificate(
    *, holder: Person | None = None, version: SchemeVersion | None = None, **fields: Any
) -> Certificate:
    """A valid certificate effective on 1 March 2026 (36 months, surveillance every 12)."""
    with at(ISSUED_ON, 9):
        return make_valid_certificate(
            holder=holder, version=version, valid_from=ISSUED_ON, **fields
        )


def staff(role: RoleCode, **fields: Any) -> User:
    """Staff created on the (travelled) day, so their yearly agreement is current then."""
    return make_staff(role, **fields)


def log_hours(
    certificate: Certificate,
    hours: str,
    *,
    category: str = "general",
    completed_on: dt.date | None = None,
    title: str = "Pipeline coating course",
) -> CpdActivity:
    """Log an activity as the holder (inside the caller's travel)."""
    from peritus.recertification.services import log_cpd_activity

    user = certificate.holder.user
    assert user is not None
    return log_cpd_activity(
        actor=user,
        certificate=certificate,
        category=category,
        title=title,
        completed_on=completed_on or certificate.valid_from,
        hours=hours,
        upload=pdf_upload(),
        name="certificate.pdf",
    )


def set_hours_required(version: SchemeVersion, hours: int) -> None:
    SchemeVersion.objects.filter(pk=version.pk).update(cpd_hours_per_cycle=hours)


def set_policy(version: SchemeVersion, **fields: Any) -> None:
    """Set the version's recertification policy through the service (inside the caller's travel)."""
    from peritus.recertification.services import set_recertification_policy

    set_recertification_policy(
        actor=make_staff(RoleCode.SCHEME_MANAGER), scheme_version=version, **fields
    )


def submit_surveillance_as_holder(certificate: Certificate, **fields: Any) -> Submission:
    from peritus.recertification.services import submit_surveillance

    user = certificate.holder.user
    assert user is not None
    fields.setdefault("declared", True)
    return submit_surveillance(actor=user, certificate=certificate, **fields)


def submit_recertification_as_holder(certificate: Certificate, **fields: Any) -> Submission:
    from peritus.recertification.services import submit_recertification

    user = certificate.holder.user
    assert user is not None
    fields.setdefault("declared", True)
    return submit_recertification(actor=user, certificate=certificate, **fields)
