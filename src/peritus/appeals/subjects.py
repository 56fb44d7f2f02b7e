"""The records a person may appeal, found by the reference they know (a decision D-…, an
application A-…, a certificate number) and always within their own file."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.appeals.errors import AppealsInputError
from peritus.appeals.models import Appeal, AppealStatus, AppealSubject
from peritus.applications.models import (
    Accommodation,
    AccommodationStatus,
    Application,
    ApplicationStatus,
)
from peritus.certification.models import Certificate, CertificationDecision
from peritus.certification.status import CertificateStatus
from peritus.exams.models import ComponentResult, ResultStatus

# Certificate statuses a holder may appeal (the lifecycle decided them).
APPEALABLE_CERTIFICATE_STATUSES = (CertificateStatus.SUSPENDED, CertificateStatus.WITHDRAWN)
# An earlier appeal on the same record blocks a new one unless it was withdrawn.
BLOCKING_STATUSES = [status for status in AppealStatus.values if status != AppealStatus.WITHDRAWN]


@dataclasses.dataclass(frozen=True)
class AppealableRecord:
    """One record of the person's file that can be appealed, as the appellant reads it."""

    kind: str
    key: str
    label: str
    decided_on: dt.date | None
    scheme_id: int | None
    decision: CertificationDecision | None = None
    application: Application | None = None
    accommodation: Accommodation | None = None
    result: ComponentResult | None = None
    certificate: Certificate | None = None

    @property
    def choice(self) -> str:
        return f"{self.kind}:{self.key}"


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _decision_record(decision: CertificationDecision) -> AppealableRecord:
    return AppealableRecord(
        kind=AppealSubject.CERTIFICATION_DECISION,
        key=decision.reference,
        label=_("Certification decision %(reference)s (%(scheme)s): %(outcome)s")
        % {
            "reference": decision.reference,
            "scheme": decision.scheme_version.scheme.name,
            "outcome": decision.get_outcome_display(),
        },
        decided_on=_day(decision.decided_at),
        scheme_id=decision.scheme_version.scheme_id,
        decision=decision,
        application=decision.application,
    )


def _eligibility_record(application: Application) -> AppealableRecord:
    return AppealableRecord(
        kind=AppealSubject.ELIGIBILITY,
        key=application.reference,
        label=_("Eligibility of application %(reference)s (%(scheme)s): not eligible")
        % {"reference": application.reference, "scheme": application.scheme.name},
        decided_on=_day(application.decided_at),
        scheme_id=application.scheme_id,
        application=application,
    )


def _accommodation_record(accommodation: Accommodation) -> AppealableRecord:
    application = accommodation.application
    return AppealableRecord(
        kind=AppealSubject.ACCOMMODATION,
        key=str(accommodation.pk),
        label=_("Accommodation %(kind)s for application %(reference)s: refused")
        % {"kind": accommodation.get_kind_display(), "reference": application.reference},
        decided_on=_day(accommodation.decided_at),
        scheme_id=application.scheme_id,
        application=application,
        accommodation=accommodation,
    )


def _result_record(result: ComponentResult) -> AppealableRecord:
    verdict = _("passed") if result.passed else _("not passed")
    return AppealableRecord(
        kind=AppealSubject.EXAM_RESULT,
        key=str(result.pk),
        label=_("Result of %(component)s (%(scheme)s), %(date)s: %(verdict)s")
        % {
            "component": result.component.name,
            "scheme": result.application.scheme.name,
            "date": timezone.localdate(result.event.starts_at).isoformat(),
            "verdict": verdict,
        },
        decided_on=_day(result.released_at),
        scheme_id=result.application.scheme_id,
        application=result.application,
        result=result,
    )


def _certificate_record(certificate: Certificate) -> AppealableRecord:
    return AppealableRecord(
        kind=AppealSubject.CERTIFICATE_STATUS,
        key=certificate.number,
        label=_("Certificate %(number)s: %(status)s since %(since)s")
        % {
            "number": certificate.number,
            "status": certificate.get_status_display().lower(),
            "since": certificate.status_since.isoformat(),
        },
        decided_on=certificate.status_since,
        scheme_id=certificate.scheme_id,
        certificate=certificate,
        application=certificate.decision.application,
    )


def other_record() -> AppealableRecord:
    return AppealableRecord(
        kind=AppealSubject.OTHER,
        key="",
        label=_("Another decision of the body (described in the grounds)"),
        decided_on=None,
        scheme_id=None,
    )


def _decisions(person: Any) -> Any:
    return CertificationDecision.objects.filter(person=person).select_related(
        "scheme_version__scheme", "application"
    )


def _not_eligible(person: Any) -> Any:
    return Application.objects.filter(
        person=person, status=ApplicationStatus.NOT_ELIGIBLE
    ).select_related("scheme")


def _refused_accommodations(person: Any) -> Any:
    return Accommodation.objects.filter(
        application__person=person, status=AccommodationStatus.REFUSED
    ).select_related("application__scheme")


def _released_results(person: Any) -> Any:
    return ComponentResult.objects.filter(
        application__person=person, status=ResultStatus.RELEASED
    ).select_related("component", "event", "application__scheme")


def _changed_certificates(person: Any) -> Any:
    return Certificate.objects.filter(
        holder=person, status__in=APPEALABLE_CERTIFICATE_STATUSES
    ).select_related("decision__application")


def resolve_record(person: Any, kind: str, key: str) -> AppealableRecord:
    """The record `key` of `kind` in `person`'s file, or a refusal that leaks nothing else."""
    key = (key or "").strip()[:64]
    not_found = AppealsInputError(
        "record_not_found", _("There is no such record in your file to appeal.")
    )
    if kind == AppealSubject.OTHER:
        return other_record()
    if kind not in AppealSubject.values or not key:
        raise AppealsInputError("record_required", _("Say which decision you appeal."))
    if kind == AppealSubject.CERTIFICATION_DECISION:
        decision = _decisions(person).filter(reference=key.upper()).first()
        if decision is None:
            raise not_found
        return _decision_record(decision)
    if kind == AppealSubject.ELIGIBILITY:
        application = Application.objects.filter(person=person, reference=key.upper()).first()
        if application is None:
            raise not_found
        if application.status != ApplicationStatus.NOT_ELIGIBLE:
            raise AppealsInputError(
                "not_appealable", _("This application was not found ineligible.")
            )
        return _eligibility_record(_not_eligible(person).get(pk=application.pk))
    if kind == AppealSubject.CERTIFICATE_STATUS:
        certificate = Certificate.objects.filter(holder=person, number=key).first()
        if certificate is None:
            raise not_found
        if certificate.status not in APPEALABLE_CERTIFICATE_STATUSES:
            raise AppealsInputError(
                "not_appealable", _("This certificate is neither suspended nor withdrawn.")
            )
        return _certificate_record(_changed_certificates(person).get(pk=certificate.pk))
    if not key.isdigit():
        raise not_found
    if kind == AppealSubject.ACCOMMODATION:
        accommodation = _refused_accommodations(person).filter(pk=int(key)).first()
        if accommodation is None:
            raise not_found
        return _accommodation_record(accommodation)
    result = _released_results(person).filter(pk=int(key)).first()
    if result is None:
        raise not_found
    return _result_record(result)


def subject_filter(record: AppealableRecord) -> dict[str, Any]:
    """The lookup matching appeals about the same record."""
    if record.kind == AppealSubject.CERTIFICATION_DECISION:
        return {"decision": record.decision}
    if record.kind == AppealSubject.ELIGIBILITY:
        return {"subject_kind": record.kind, "application": record.application}
    if record.kind == AppealSubject.ACCOMMODATION:
        return {"accommodation": record.accommodation}
    if record.kind == AppealSubject.EXAM_RESULT:
        return {"result": record.result}
    if record.kind == AppealSubject.CERTIFICATE_STATUS:
        return {
            "certificate": record.certificate,
            "subject_decided_on": record.decided_on,
        }
    return {}


def is_already_appealed(record: AppealableRecord) -> bool:
    lookup = subject_filter(record)
    if not lookup:
        return False
    return Appeal.objects.filter(status__in=BLOCKING_STATUSES, **lookup).exists()


def _appealed_choices(person: Any) -> set[tuple[str, dt.date | None]]:
    """(choice, date) of the records `person` already appealed (withdrawn appeals aside)."""
    appeals = Appeal.objects.filter(appellant=person, status__in=BLOCKING_STATUSES).select_related(
        "decision", "application", "certificate"
    )
    keys: set[tuple[str, dt.date | None]] = set()
    for appeal in appeals:
        keys_by_kind: dict[str, str] = {
            AppealSubject.CERTIFICATION_DECISION: appeal.decision.reference
            if appeal.decision
            else "",
            AppealSubject.ELIGIBILITY: appeal.application.reference if appeal.application else "",
            AppealSubject.ACCOMMODATION: str(appeal.accommodation_id or ""),
            AppealSubject.EXAM_RESULT: str(appeal.result_id or ""),
            AppealSubject.CERTIFICATE_STATUS: appeal.certificate.number
            if appeal.certificate
            else "",
        }
        key = keys_by_kind.get(appeal.subject_kind, "")
        if key:
            keys.add((f"{appeal.subject_kind}:{key}", appeal.subject_decided_on))
    return keys


def list_appealable_records(person: Any) -> list[AppealableRecord]:
    """What `person` may appeal now: refused or other decisions, ineligibility, refused
    accommodations, released results, a suspended or withdrawn certificate (newest first)."""
    if person is None:
        return []
    records = [
        *(_decision_record(decision) for decision in _decisions(person)),
        *(_eligibility_record(application) for application in _not_eligible(person)),
        *(_accommodation_record(item) for item in _refused_accommodations(person)),
        *(_result_record(result) for result in _released_results(person)),
        *(_certificate_record(certificate) for certificate in _changed_certificates(person)),
    ]
    appealed = _appealed_choices(person)
    records = [record for record in records if (record.choice, record.decided_on) not in appealed]
    records.sort(key=lambda record: record.decided_on or dt.date.min, reverse=True)
    return records
