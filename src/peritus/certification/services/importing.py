"""Bringing in the register of another system (`peritus import_certificates`), all or nothing.

Every imported certificate gets a decision record too — an *imported decision* naming its source
(R2: no certificate without a decision) — a first revision with sealed contents (the PDF is
rendered when first downloaded) and its status history. A second run of the same file finds the
rows it already brought in (by scheme and `external_reference`) and skips them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import _create_person, require_role
from peritus.audit_trail.services import record_event
from peritus.certification import credentials, numbers
from peritus.certification.errors import CertificationError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    CertificateVersion,
    CertificationDecision,
    DecisionKind,
    DecisionOutcome,
    ReissueReason,
)
from peritus.certification.pdf import ScopeLine
from peritus.certification.register_import import RegisterRow, RowError
from peritus.certification.sealing import build_content
from peritus.certification.services.keys import _active_signing_key
from peritus.certification.services.numbering import draw_numbers, reserve_serial
from peritus.certification.validity import register_sort_name
from peritus.schemes.models import Scheme, SchemeVersion, SchemeVersionStatus, ScopeItem


@dataclasses.dataclass(frozen=True)
class ImportReport:
    imported: int
    already_present: int
    errors: list[RowError]
    dry_run: bool
    numbers: list[str] = dataclasses.field(default_factory=list)


class ImportRefusedError(CertificationError):
    """Some rows are wrong: nothing was imported. `errors` lists every one of them."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            "import_refused",
            _("%(count)s rows have errors; nothing was imported.") % {"count": len(errors)},
            errors=[str(error) for error in errors],
        )
        self.errors = errors


def import_key(scheme: Scheme, external_reference: str) -> str:
    return f"{scheme.slug}:{external_reference}"


def _versions(scheme: Scheme) -> dict[str, SchemeVersion]:
    return {
        version.version: version
        for version in SchemeVersion.objects.filter(scheme=scheme).select_related("scheme")
    }


def _check_against_records(
    rows: list[RegisterRow], scheme: Scheme, today: dt.date
) -> tuple[list[RegisterRow], int, list[RowError], dict[str, SchemeVersion]]:
    """Rows still to import, how many are already present, and errors only the records reveal."""
    errors: list[RowError] = []
    versions = _versions(scheme)
    current = next(
        (v for v in versions.values() if v.status == SchemeVersionStatus.PUBLISHED), None
    )
    scope_codes: dict[int, set[str]] = {}
    for item in ScopeItem.objects.filter(scheme_version__scheme=scheme).values(
        "scheme_version_id", "code"
    ):
        scope_codes.setdefault(item["scheme_version_id"], set()).add(item["code"])
    present = set(
        CertificationDecision.objects.filter(
            import_key__in=[import_key(scheme, row.external_reference) for row in rows]
        ).values_list("import_key", flat=True)
    )
    taken_numbers = set(
        Certificate.objects.filter(
            number_key__in=[
                numbers.number_key(row.certificate_number) for row in rows if row.certificate_number
            ]
        ).values_list("number_key", flat=True)
    )
    to_import: list[RegisterRow] = []
    already = 0
    resolved: dict[str, SchemeVersion] = {}
    for row in rows:
        if import_key(scheme, row.external_reference) in present:
            already += 1
            continue
        version = versions.get(row.scheme_version) if row.scheme_version else current
        if version is None:
            errors.append(
                RowError(
                    row.line,
                    "scheme_version",
                    "unknown_version",
                    f"scheme {scheme.code} has no version {row.scheme_version!r}"
                    if row.scheme_version
                    else f"scheme {scheme.code} has no published version: name one",
                )
            )
            continue
        unknown = [code for code in row.scope if code not in scope_codes.get(version.pk, set())]
        if unknown:
            errors.append(
                RowError(
                    row.line,
                    "scope",
                    "unknown_scope",
                    f"{', '.join(unknown)} not in the scope of {version.label}",
                )
            )
            continue
        if row.certificate_number and numbers.number_key(row.certificate_number) in taken_numbers:
            errors.append(
                RowError(
                    row.line,
                    "certificate_number",
                    "duplicate",
                    f"{row.certificate_number!r} is already a certificate in this register",
                )
            )
            continue
        if row.status == CertificateStatus.EXPIRED and row.expires_on >= today:
            errors.append(
                RowError(
                    row.line,
                    "status",
                    "status_inconsistent",
                    f"marked expired, but valid until {row.expires_on}",
                )
            )
            continue
        resolved[row.external_reference] = version
        to_import.append(row)
    return to_import, already, errors, resolved


def import_certificates(
    *,
    rows: list[RegisterRow],
    scheme: Scheme,
    source: str,
    actor: User | None,
    dry_run: bool = False,
    form_errors: Sequence[RowError] = (),
) -> ImportReport:
    """Import checked rows into `scheme`'s register: all of them, or none (ImportRefusedError).

    `form_errors` are the file's own errors (register_import.read_rows): the refusal then lists
    them together with what only the records reveal, in line order.
    """
    if actor is not None:
        require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=scheme.pk)
    today = timezone.localdate()
    to_import, already, errors, versions = _check_against_records(rows, scheme, today)
    errors = sorted([*form_errors, *errors], key=lambda error: (error.line, error.column))
    if errors:
        raise ImportRefusedError(errors)
    if dry_run or not to_import:
        return ImportReport(len(to_import) if dry_run else 0, already, [], dry_run)
    with transaction.atomic(durable=True):
        created = _write(to_import, scheme=scheme, versions=versions, source=source, actor=actor)
    return ImportReport(len(created), already, [], False, created)


def _scope_lines(
    version: SchemeVersion, codes: tuple[str, ...]
) -> tuple[list[ScopeItem], tuple[ScopeLine, ...]]:
    items = list(
        ScopeItem.objects.filter(scheme_version=version, code__in=codes).order_by(
            "position", "code"
        )
    )
    return items, tuple(
        ScopeLine(code=item.code, title=item.title, level=item.level, limitations=item.limitations)
        for item in items
    )


def _person(row: RegisterRow, actor: User | None) -> Person:
    existing = Person.objects.filter(external_reference=row.external_reference).first()
    if existing is not None:
        return existing
    return _create_person(
        actor=actor,
        given_names=row.given_names,
        family_name=row.family_name,
        email=row.email,
        date_of_birth=row.date_of_birth,
        external_reference=row.external_reference,
    )


def _write(
    rows: list[RegisterRow],
    *,
    scheme: Scheme,
    versions: dict[str, SchemeVersion],
    source: str,
    actor: User | None,
) -> list[str]:
    now = timezone.now()
    private_key, kid = _active_signing_key(now)
    needing_numbers = [row for row in rows if not row.certificate_number]
    drawn = iter(draw_numbers(scheme, len(needing_numbers)) if needing_numbers else [])
    created: list[str] = []
    for row in rows:
        version = versions[row.external_reference]
        person = _person(row, actor)
        number = row.certificate_number or next(drawn)
        if row.certificate_number:
            reserve_serial(scheme, number)
        items, scope = _scope_lines(version, row.scope)
        snapshot_source = {
            "source": source,
            "external_reference": row.external_reference,
            "decision_reference": row.decision_reference,
            "line": row.line,
        }
        decision = CertificationDecision.objects.create(
            kind=DecisionKind.IMPORTED,
            person=person,
            scheme_version=version,
            outcome=DecisionOutcome.GRANT,
            rationale=_("Certified by the previous system (%(source)s), reference %(reference)s.")
            % {"source": source, "reference": row.decision_reference or row.external_reference},
            decided_at=dt.datetime.combine(row.decided_on, dt.time(12), tzinfo=dt.UTC),
            evidence_snapshot=snapshot_source,
            evidence_digest=hashlib.sha256(credentials.canonical_json(snapshot_source)).hexdigest(),
            source=source[:200],
            import_key=import_key(scheme, row.external_reference),
            recorded_by=actor,
        )
        decision.scope_items.set(items)
        content = build_content(
            holder=person,
            scheme_version=version,
            scope=scope,
            number=number,
            revision=1,
            issued_on=row.issued_on,
            valid_from=row.valid_from,
            expires_on=row.expires_on,
        )
        snapshot = content.as_snapshot()
        digest = credentials.content_digest(snapshot)
        certificate = Certificate.objects.create(
            number=number,
            number_key=numbers.number_key(number),
            holder=person,
            holder_name=content.holder_name,
            scheme=scheme,
            scheme_version=version,
            decision=decision,
            scope=[line.as_dict() for line in scope],
            issued_on=row.issued_on,
            valid_from=row.valid_from,
            expires_on=row.expires_on,
            status=row.status,
            status_since=row.status_since
            if row.status != CertificateStatus.VALID
            else row.valid_from,
            revision=1,
            content_digest=digest,
            register_listed=row.register_consent,
            sort_name=register_sort_name(person.given_names, person.family_name),
            external_reference=row.external_reference,
        )
        certificate.scope_items.set(items)
        CertificateVersion.objects.create(
            certificate=certificate,
            revision=1,
            reason=ReissueReason.ISSUE,
            reason_note=_("Imported from %(source)s") % {"source": source},
            content=snapshot,
            content_digest=digest,
            key_id=kid,
            seal=credentials.seal(credentials.certificate_claims(number, 1, digest), private_key),
            pdf_sha256="",
            pdf_size=0,
            issued_at=now,
            issued_by=actor,
        )
        changes = [
            CertificateStatusChange(
                certificate=certificate,
                from_status="",
                to_status=CertificateStatus.VALID,
                effective_on=row.valid_from,
                recorded_at=now,
                actor=actor,
                reason=_("Imported from %(source)s") % {"source": source},
            )
        ]
        if row.status != CertificateStatus.VALID:
            changes.append(
                CertificateStatusChange(
                    certificate=certificate,
                    from_status=CertificateStatus.VALID,
                    to_status=row.status,
                    effective_on=row.status_since,
                    recorded_at=now,
                    actor=actor,
                    reason=_("Status in the previous system (%(source)s)") % {"source": source},
                )
            )
        CertificateStatusChange.objects.bulk_create(changes)
        record_event(
            CertificationEvent.CERTIFICATE_IMPORTED,
            actor=actor,
            subject=certificate,
            related=[decision, person],
            reason=source,
            data={
                "number": number,
                "decision": decision.reference,
                "external_reference": row.external_reference,
                "line": row.line,
                "status": row.status,
                "scope": list(row.scope),
            },
            occurred_at=now,
        )
        created.append(number)
    return created
