"""Public verification: one indexed query, the expired status computed at read time (R7)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peritus.certification import credentials
from peritus.certification.models import (
    Certificate,
    CertificateVersion,
)
from peritus.certification.numbers import NumberReference, parse_reference
from peritus.certification.selectors.keys import published_signing_keys
from peritus.certification.status import (
    SUPERSEDED,
    CertificateStatus,
    PublicStatus,
    public_status,
)


@dataclasses.dataclass(frozen=True)
class SealCheck:
    """What the QR code's seal says about the certificate shown."""

    verified: bool
    code: str  # "verified" or why not: malformed, unknown_key, bad_signature, other_certificate …
    revision: int | None = None


@dataclasses.dataclass(frozen=True)
class Verification:
    """The public answer about one certificate number (clause 7.2, R7)."""

    certificate_number: str
    reference: str  # the number with the revision asked about, as printed on that revision
    holder_name: str
    scheme_code: str
    scheme_name: str
    scheme_version: str
    scope: list[dict[str, str]]
    status: str
    status_since: dt.date
    issued_on: dt.date
    valid_from: dt.date
    expires_on: dt.date
    revision: int
    current_revision: int
    certificate_status: str  # the certificate's own status, also when a revision is superseded
    certificate_status_since: dt.date
    seal: SealCheck | None = None

    @property
    def is_superseded(self) -> bool:
        return self.status == SUPERSEDED

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def certificate_status_label(self) -> str:
        return status_label(self.certificate_status)

    def as_public_json(self) -> dict[str, Any]:
        """Exactly the keys of product.md §3 (a contract)."""
        return {
            "certificate_number": self.reference,
            "holder_name": self.holder_name,
            "scheme": {
                "code": self.scheme_code,
                "name": self.scheme_name,
                "version": self.scheme_version,
            },
            "scope": self.scope,
            "status": self.status,
            "status_since": self.status_since,
            "issued_on": self.issued_on,
            "expires_on": self.expires_on,
        }


@dataclasses.dataclass(frozen=True)
class VerificationMiss:
    """Nothing found; `typo` when no reading of the text has a valid check character."""

    text: str
    typo: bool


def status_label(status: str) -> str:
    if status == SUPERSEDED:
        return str(_("Superseded"))
    return str(CertificateStatus(status).label)


@dataclasses.dataclass(frozen=True)
class _VerificationRow:
    """The columns verification reads, from one indexed query (no ORM compilation per request)."""

    pk: int
    number: str
    number_key: str
    holder_name: str
    scope: list[dict[str, Any]]
    issued_on: dt.date
    valid_from: dt.date
    expires_on: dt.date
    status: str
    status_since: dt.date
    revision: int
    content_digest: str
    scheme_version: str
    scheme_code: str
    scheme_name: str

    def public_status(self, today: dt.date) -> PublicStatus:
        return public_status(
            status=self.status,
            status_since=self.status_since,
            expires_on=self.expires_on,
            today=today,
        )


@functools.cache
def _verification_sql() -> str:
    from peritus.schemes.models import Scheme, SchemeVersion

    certificate = Certificate._meta.db_table
    version = SchemeVersion._meta.db_table
    scheme = Scheme._meta.db_table
    return (
        f"SELECT c.id, c.number, c.number_key, c.holder_name, c.scope, c.issued_on, "  # noqa: S608 - table names from the models; values are parameters
        f"c.valid_from, c.expires_on, c.status, c.status_since, c.revision, c.content_digest, "
        f"v.version, s.code, s.name "
        f'FROM "{certificate}" c '
        f'JOIN "{version}" v ON v.id = c.scheme_version_id '
        f'JOIN "{scheme}" s ON s.id = v.scheme_id '
        f"WHERE c.number_key IN (%s, %s)"
    )


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _find_for_verification(keys: list[str]) -> dict[str, _VerificationRow]:
    padded = [*keys[:2], *keys[:1]][:2]
    with connection.cursor() as cursor:
        cursor.execute(_verification_sql(), padded)
        rows = cursor.fetchall()
    found = {}
    for row in rows:
        scope = row[4]
        if isinstance(scope, (str, bytes)):
            scope = json.loads(scope)
        found[row[2]] = _VerificationRow(
            pk=row[0],
            number=row[1],
            number_key=row[2],
            holder_name=row[3],
            scope=scope,
            issued_on=_as_date(row[5]),
            valid_from=_as_date(row[6]),
            expires_on=_as_date(row[7]),
            status=row[8],
            status_since=_as_date(row[9]),
            revision=int(row[10]),
            content_digest=row[11],
            scheme_version=row[12],
            scheme_code=row[13],
            scheme_name=row[14],
        )
    return found


def _check_seal(
    token: str, certificate: _VerificationRow, versions: dict[int, CertificateVersion]
) -> SealCheck:
    try:
        _kid, claims = credentials.open_seal(token, published_signing_keys())
    except credentials.SealError as error:
        return SealCheck(False, error.code)
    number, revision = claims.get("n"), claims.get("r")
    if not isinstance(number, str) or number != certificate.number:
        return SealCheck(False, "other_certificate")
    if not isinstance(revision, int) or not 1 <= revision <= certificate.revision:
        return SealCheck(False, "unknown_revision")
    if revision == certificate.revision:
        digest = certificate.content_digest
    else:
        version = versions.get(revision) or (
            CertificateVersion.objects.filter(certificate_id=certificate.pk, revision=revision)
            .only("content_digest")
            .first()
        )
        digest = version.content_digest if version is not None else ""
    if not digest or claims.get("h") != credentials.digest_claim(digest):
        return SealCheck(False, "digest_mismatch", revision)
    return SealCheck(True, "verified", revision)


def verify_certificate(
    text: str, *, token: str = "", today: dt.date | None = None
) -> Verification | VerificationMiss:
    """The public status of the certificate (or revision) `text` names, for everyone."""
    readings = parse_reference(text)
    if not readings:
        return VerificationMiss(text, typo=False)
    found = _find_for_verification(list(dict.fromkeys(reading.key for reading in readings)))
    chosen: tuple[NumberReference, _VerificationRow] | None = None
    for reading in readings:
        certificate = found.get(reading.key)
        if certificate is not None and (reading.revision or 1) <= certificate.revision:
            chosen = (reading, certificate)
            break
    if chosen is None:
        return VerificationMiss(text, typo=not any(reading.check_ok for reading in readings))
    reading, certificate = chosen
    today = today or timezone.localdate()
    current = certificate.public_status(today)
    revision = reading.revision or certificate.revision
    versions: dict[int, CertificateVersion] = {}
    if revision < certificate.revision:
        version = CertificateVersion.objects.only(
            "revision", "content", "superseded_at", "content_digest"
        ).get(certificate_id=certificate.pk, revision=revision)
        versions[revision] = version
        printed = version.content
        superseded_on = (
            timezone.localdate(version.superseded_at) if version.superseded_at else today
        )
        status, since = SUPERSEDED, superseded_on
        holder_name, scope = printed["holder_name"], printed["scope"]
    else:
        status, since = current.status, current.since
        holder_name, scope = certificate.holder_name, certificate.scope
    return Verification(
        certificate_number=certificate.number,
        reference=(
            certificate.number if reading.revision is None else f"{certificate.number}-R{revision}"
        ),
        holder_name=holder_name,
        scheme_code=certificate.scheme_code,
        scheme_name=certificate.scheme_name,
        scheme_version=certificate.scheme_version,
        scope=[public_scope_line(line) for line in scope],
        status=status,
        status_since=since,
        issued_on=certificate.issued_on,
        valid_from=certificate.valid_from,
        expires_on=certificate.expires_on,
        revision=revision,
        current_revision=certificate.revision,
        certificate_status=current.status,
        certificate_status_since=current.since,
        seal=_check_seal(token, certificate, versions) if token else None,
    )


def public_scope_line(line: dict[str, Any]) -> dict[str, str]:
    return {
        "code": str(line.get("code", "")),
        "title": str(line.get("title", "")),
        "level": str(line.get("level", "")),
        "limitations": str(line.get("limitations", "")),
    }
