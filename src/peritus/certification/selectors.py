"""Reads about decisions and certificates, including the public ones (verification, register).

The public reads are lean on purpose (product.md §5): verification is one indexed query on
`number_key` with the scheme joined, and computes the expired status at read time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import threading
import time
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peritus.certification import credentials
from peritus.certification.models import (
    Certificate,
    CertificateStatusChange,
    CertificateTermsAcceptance,
    CertificateVersion,
    CertificationDecision,
    DecisionOutcome,
    SigningKey,
)
from peritus.certification.numbers import NumberReference, parse_reference
from peritus.certification.status import (
    SUPERSEDED,
    CertificateStatus,
    PublicStatus,
    public_status,
)
from peritus.certification.validity import fold_name

PUBLISHED_KEYS_TTL_SECONDS = 60.0
REGISTER_PAGE_SIZE = 20
REGISTER_MAX_PAGES = 50
REGISTER_MIN_TERM = 3

# Published keys -------------------------------------------------------------------------------

_keys_lock = threading.Lock()
_keys_cache: dict[str, Any] = {}


def forget_published_keys() -> None:
    with _keys_lock:
        _keys_cache.clear()


def published_signing_keys() -> dict[str, Ed25519PublicKey]:
    """Every public key a seal may name (kid → key): the active one, the ones it replaced, and
    any listed in settings; revoked keys are left out. Cached for a minute per process."""
    with _keys_lock:
        cached = _keys_cache.get("keys")
        if cached is not None and time.monotonic() - _keys_cache["at"] < PUBLISHED_KEYS_TTL_SECONDS:
            return dict(cached)
    keys: dict[str, Ed25519PublicKey] = {}
    revoked: set[str] = set()
    for row in SigningKey.objects.order_by("first_used_at", "pk"):
        if row.revoked_at is not None:
            revoked.add(row.kid)
            continue
        keys[row.kid] = credentials.public_key_from_raw(credentials.from_b64url(row.public_key))
    for public_key in [
        credentials.active_private_key().public_key(),
        *credentials.configured_public_keys(),
    ]:
        kid = credentials.key_id(public_key)
        if kid not in revoked:
            keys.setdefault(kid, public_key)
    with _keys_lock:
        _keys_cache.update(keys=keys, at=time.monotonic())
    return dict(keys)


def jwks_document() -> dict[str, Any]:
    """The JWKS published at /.well-known/peritus-keys.json."""
    active = credentials.key_id(credentials.active_private_key().public_key())
    keys = []
    for kid, public_key in published_signing_keys().items():
        jwk: dict[str, Any] = credentials.public_jwk(public_key)
        jwk["peritus_active"] = kid == active
        keys.append(jwk)
    return {"keys": keys}


# Verification ---------------------------------------------------------------------------------


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
        scope=[_public_scope_line(line) for line in scope],
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


def _public_scope_line(line: dict[str, Any]) -> dict[str, str]:
    return {
        "code": str(line.get("code", "")),
        "title": str(line.get("title", "")),
        "level": str(line.get("level", "")),
        "limitations": str(line.get("limitations", "")),
    }


# The public register --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RegisterEntry:
    number: str
    holder_name: str
    scheme_code: str
    scheme_name: str
    scope: list[dict[str, str]]
    status: str
    expires_on: dt.date


@dataclasses.dataclass(frozen=True)
class RegisterPage:
    entries: list[RegisterEntry]
    page: int
    has_next: bool
    searched: bool


REGISTER_CANDIDATE_CAP = 2000


def _register_rows(certificates: QuerySet[Certificate], *, start: int) -> list[Certificate]:
    """One page of matches in name order, whatever the term's frequency (product.md §5).

    A rare fragment is found fastest through the trigram index, a common one by walking the
    name index in order until a page is full; the planner cannot tell them apart from its
    statistics. So the matches are first collected unordered up to a cap: below it they are
    sorted by their keys, at the cap the term is common and the ordered walk is quick.
    """
    ids = list(certificates.order_by().values_list("pk", flat=True)[: REGISTER_CANDIDATE_CAP + 1])
    ordered = (
        certificates
        if len(ids) > REGISTER_CANDIDATE_CAP
        else Certificate.objects.filter(pk__in=ids)
    )
    return list(
        ordered.select_related("scheme")
        .only(
            "number",
            "holder_name",
            "scope",
            "status",
            "expires_on",
            "scheme__code",
            "scheme__name",
        )
        .order_by("sort_name", "pk")[start : start + REGISTER_PAGE_SIZE + 1]
    )


def register_terms(query: str) -> list[str]:
    return [term for term in fold_name(query).split() if term][:5]


def is_searchable(query: str) -> bool:
    """A register search needs one term of three letters (the trigram index needs them)."""
    return any(len(term) >= REGISTER_MIN_TERM for term in register_terms(query)) or any(
        reading.check_ok for reading in parse_reference(query)
    )


def search_register(
    *, query: str, scheme_id: int | None = None, page: int = 1, today: dt.date | None = None
) -> RegisterPage:
    """Consenting holders of a current certificate matching `query` (a name or a number).

    Only certificates whose holder consented are listed (clause 9.4.9); suspended ones show as
    suspended; expired and withdrawn ones are not listed (verification by number still answers).
    """
    today = today or timezone.localdate()
    page = max(1, min(page, REGISTER_MAX_PAGES))
    if not is_searchable(query):
        return RegisterPage([], page, has_next=False, searched=False)
    certificates = Certificate.objects.filter(
        register_listed=True,
        status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED],
        expires_on__gte=today,
    )
    numbers = [reading.key for reading in parse_reference(query) if reading.check_ok]
    if numbers:
        certificates = certificates.filter(number_key__in=numbers)
    else:
        for term in register_terms(query):
            certificates = certificates.filter(sort_name__contains=term)
    if scheme_id is not None:
        certificates = certificates.filter(scheme_id=scheme_id)
    start = (page - 1) * REGISTER_PAGE_SIZE
    rows = _register_rows(certificates, start=start)
    entries = [
        RegisterEntry(
            number=row.number,
            holder_name=row.holder_name,
            scheme_code=row.scheme.code,
            scheme_name=row.scheme.name,
            scope=[_public_scope_line(line) for line in row.scope],
            status=row.status,
            expires_on=row.expires_on,
        )
        for row in rows[:REGISTER_PAGE_SIZE]
    ]
    return RegisterPage(entries, page, has_next=len(rows) > REGISTER_PAGE_SIZE, searched=True)


# Office and portal reads ----------------------------------------------------------------------


def certificate_queryset() -> QuerySet[Certificate]:
    return Certificate.objects.select_related(
        "holder", "scheme", "scheme_version", "decision", "decision__decided_by"
    )


def get_certificate_by_number(number: str) -> Certificate:
    """The certificate with this number (typed loosely); raises Certificate.DoesNotExist."""
    readings = parse_reference(number)
    if not readings:
        raise Certificate.DoesNotExist
    return certificate_queryset().get(number_key=readings[0].key)


def list_certificates_of_holder(*, holder: Any) -> QuerySet[Certificate]:
    return certificate_queryset().filter(holder=holder).order_by("-issued_on", "-pk")


def list_certificates(
    *, query: str = "", status: str = "", scheme_ids: set[int] | None = None
) -> QuerySet[Certificate]:
    """Certificates for the office list: by number, name or status, within the given schemes."""
    certificates = certificate_queryset()
    if scheme_ids is not None:
        certificates = certificates.filter(scheme_id__in=scheme_ids)
    if status:
        certificates = certificates.filter(status=status)
    if query.strip():
        readings = parse_reference(query)
        by_number = Q(number_key__in=[reading.key for reading in readings]) if readings else Q()
        by_name = Q()
        for term in register_terms(query):
            by_name &= Q(sort_name__contains=term)
        certificates = (
            certificates.filter(by_number | by_name) if readings else certificates.filter(by_name)
        )
    return certificates.order_by("-issued_on", "-pk")


def list_versions(certificate: Certificate) -> QuerySet[CertificateVersion]:
    return (
        CertificateVersion.objects.filter(certificate=certificate)
        .select_related("issued_by")
        .order_by("revision")
    )


def list_status_changes(certificate: Certificate) -> QuerySet[CertificateStatusChange]:
    return (
        CertificateStatusChange.objects.filter(certificate=certificate)
        .select_related("actor")
        .order_by("recorded_at", "pk")
    )


def get_version(certificate: Certificate, revision: int) -> CertificateVersion:
    return CertificateVersion.objects.select_related("certificate").get(
        certificate=certificate, revision=revision
    )


def decision_queryset() -> QuerySet[CertificationDecision]:
    return CertificationDecision.objects.select_related(
        "person", "scheme_version__scheme", "application", "decided_by", "recorded_by"
    ).prefetch_related("scope_items")


def list_decisions_of_application(application: Any) -> QuerySet[CertificationDecision]:
    return decision_queryset().filter(application=application).order_by("-decided_at", "-pk")


def list_grants_awaiting_certificate(
    *, scheme_ids: set[int] | None = None
) -> QuerySet[CertificationDecision]:
    """Positive decisions with no certificate yet (the certification officer's queue)."""
    decisions = decision_queryset().filter(outcome=DecisionOutcome.GRANT, certificate__isnull=True)
    if scheme_ids is not None:
        decisions = decisions.filter(scheme_version__scheme_id__in=scheme_ids)
    return decisions.order_by("decided_at", "pk")


def list_decisions_of_person(*, person: Any) -> QuerySet[CertificationDecision]:
    return decision_queryset().filter(person=person).order_by("-decided_at", "-pk")


def current_terms(scheme_version: Any) -> tuple[str, str]:
    """(version label, SHA-256) of the rules on the use of certificates and marks in force."""
    text = scheme_version.certificate_terms or ""
    return (
        f"{scheme_version.label}/certificate-terms",
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def get_terms_acceptance(*, person: Any, scheme_version: Any) -> CertificateTermsAcceptance | None:
    """The person's acceptance of the terms now in force for `scheme_version`, if any."""
    _label, digest = current_terms(scheme_version)
    return (
        CertificateTermsAcceptance.objects.filter(
            person=person, scheme_version=scheme_version, terms_sha256=digest
        )
        .order_by("-accepted_at")
        .first()
    )


def terms_accepted_for(decisions: list[CertificationDecision]) -> set[int]:
    """The decisions (pks) whose person accepted the terms in force for their scheme version."""
    wanted = {
        (decision.person_id, decision.scheme_version_id): current_terms(decision.scheme_version)[1]
        for decision in decisions
    }
    accepted = {
        (row.person_id, row.scheme_version_id)
        for row in CertificateTermsAcceptance.objects.filter(
            person_id__in={person for person, _version in wanted},
            scheme_version_id__in={version for _person, version in wanted},
        ).only("person_id", "scheme_version_id", "terms_sha256")
        if wanted.get((row.person_id, row.scheme_version_id)) == row.terms_sha256
    }
    return {
        decision.pk
        for decision in decisions
        if (decision.person_id, decision.scheme_version_id) in accepted
    }
