"""The evidence chain of a certificate or an application (7.1, 9.4; product.md §2.10).

application → evidence → eligibility findings → accommodations → assessments (examiners,
invigilators and their declarations) → results → decision (maker, rationale) → certificate
revisions → status history → audit events. Read-only; the ZIP pack for an assessor is built from
the same chain (`evidence_pack.py`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Q

from peritus.accounts.models import Person
from peritus.applications.models import (
    Accommodation,
    Application,
    EligibilityReview,
    EvidenceFile,
)
from peritus.audit_trail.models import AuditEvent
from peritus.audit_trail.services import record_label
from peritus.certification.models import (
    Certificate,
    CertificateStatusChange,
    CertificateVersion,
    CertificationDecision,
)
from peritus.exams.models import AssessmentEvent, ComponentResult, EventAssignment
from peritus.exams.selectors import AssessmentOutcome, get_assessment_outcome
from peritus.impartiality.models import ConflictDeclaration

AUDIT_LIMIT = 500


@dataclasses.dataclass
class AssessmentLink:
    """One assessment event of the candidate: who examined and invigilated, who declared what."""

    event: AssessmentEvent
    examiners: list[EventAssignment]
    invigilators: list[EventAssignment]
    declarations: list[ConflictDeclaration]
    results: list[ComponentResult]


@dataclasses.dataclass
class EvidenceChain:
    person: Person
    application: Application | None
    evidence_files: list[EvidenceFile]
    eligibility_reviews: list[EligibilityReview]
    accommodations: list[Accommodation]
    assessments: list[AssessmentLink]
    assessment: AssessmentOutcome | None
    other_declarations: list[ConflictDeclaration]
    decisions: list[CertificationDecision]
    certificate: Certificate | None
    versions: list[CertificateVersion]
    status_changes: list[CertificateStatusChange]
    audit_events: list[AuditEvent]

    @property
    def title(self) -> str:
        if self.certificate is not None:
            return self.certificate.number
        return self.application.reference if self.application is not None else str(self.person)


def _records(chain: EvidenceChain) -> list[Any]:
    records: list[Any] = [chain.person]
    if chain.application is not None:
        records.append(chain.application)
    records.extend(chain.evidence_files)
    records.extend(chain.eligibility_reviews)
    records.extend(chain.accommodations)
    for link in chain.assessments:
        records.append(link.event)
        records.extend(link.results)
        records.extend(link.declarations)
    records.extend(chain.other_declarations)
    records.extend(chain.decisions)
    if chain.certificate is not None:
        records.append(chain.certificate)
    records.extend(chain.versions)
    return records


def _audit_events(records: list[Any]) -> list[AuditEvent]:
    by_type: dict[str, set[str]] = {}
    for record in records:
        by_type.setdefault(record_label(record), set()).add(str(record.pk))
    condition = Q()
    for label, ids in by_type.items():
        condition |= Q(links__record_type=label, links__record_id__in=sorted(ids))
    return list(
        AuditEvent.objects.filter(condition)
        .select_related("actor")
        .order_by("sequence")
        .distinct()[:AUDIT_LIMIT]
    )


def _assessments(application: Application) -> tuple[list[AssessmentLink], set[int]]:
    events = list(
        AssessmentEvent.objects.filter(candidates__application=application)
        .select_related("component", "scheme_version")
        .prefetch_related("assignments__user")
        .order_by("starts_at", "pk")
        .distinct()
    )
    results = list(
        ComponentResult.objects.filter(application=application)
        .select_related(
            "component", "first_marker", "second_marker", "reconciled_by", "released_by"
        )
        .order_by("event__starts_at", "pk")
    )
    declarations = list(
        ConflictDeclaration.objects.filter(person_id=application.person_id)
        .select_related("declarant", "context_type")
        .order_by("declared_at", "pk")
    )
    links = []
    used: set[int] = set()
    for event in events:
        assignments = list(event.assignments.all())
        staff_ids = {assignment.user_id for assignment in assignments}
        event_declarations = [
            declaration
            for declaration in declarations
            if declaration.declarant_id in staff_ids
            and (
                declaration.context_id is None
                or (
                    declaration.context_id == event.pk
                    and declaration.context_type is not None
                    and declaration.context_type.model == "assessmentevent"
                )
            )
        ]
        used.update(declaration.pk for declaration in event_declarations)
        links.append(
            AssessmentLink(
                event=event,
                examiners=[a for a in assignments if a.role == "examiner"],
                invigilators=[a for a in assignments if a.role == "invigilator"],
                declarations=event_declarations,
                results=[result for result in results if result.event_id == event.pk],
            )
        )
    return links, used


def chain_for_application(
    application: Application, *, certificate: Certificate | None = None
) -> EvidenceChain:
    """The chain from an application to its decisions and, if any, its certificate."""
    application = (
        Application.objects.select_related("person", "scheme_version__scheme")
        .prefetch_related("requested_scope")
        .get(pk=application.pk)
    )
    decisions = list(
        CertificationDecision.objects.filter(application=application)
        .select_related("decided_by", "scheme_version__scheme")
        .prefetch_related("scope_items")
        .order_by("decided_at", "pk")
    )
    if certificate is None:
        certificate = (
            Certificate.objects.filter(decision__application=application)
            .select_related("scheme_version__scheme", "holder")
            .first()
        )
    assessments, used = _assessments(application)
    chain = EvidenceChain(
        person=application.person,
        application=application,
        evidence_files=list(
            EvidenceFile.objects.filter(application=application)
            .select_related("prerequisite", "accommodation")
            .order_by("created_at", "pk")
        ),
        eligibility_reviews=list(
            EligibilityReview.objects.filter(application=application)
            .select_related("reviewer")
            .prefetch_related("findings__prerequisite", "findings__evidence_files")
            .order_by("decided_at", "pk")
        ),
        accommodations=list(
            Accommodation.objects.filter(application=application)
            .select_related("decided_by")
            .order_by("created_at", "pk")
        ),
        assessments=assessments,
        assessment=get_assessment_outcome(application),
        other_declarations=list(
            ConflictDeclaration.objects.filter(person_id=application.person_id)
            .exclude(pk__in=used)
            .select_related("declarant")
            .order_by("declared_at", "pk")
        ),
        decisions=decisions,
        certificate=certificate,
        versions=_versions(certificate),
        status_changes=_status_changes(certificate),
        audit_events=[],
    )
    chain.audit_events = _audit_events(_records(chain))
    return chain


def _versions(certificate: Certificate | None) -> list[CertificateVersion]:
    if certificate is None:
        return []
    return list(
        CertificateVersion.objects.filter(certificate=certificate)
        .select_related("issued_by")
        .order_by("revision")
    )


def _status_changes(certificate: Certificate | None) -> list[CertificateStatusChange]:
    if certificate is None:
        return []
    return list(
        CertificateStatusChange.objects.filter(certificate=certificate)
        .select_related("actor")
        .order_by("recorded_at", "pk")
    )


def chain_for_certificate(certificate: Certificate) -> EvidenceChain:
    """The chain behind a certificate; an imported one starts at its imported decision."""
    certificate = Certificate.objects.select_related(
        "holder", "scheme_version__scheme", "decision__application", "decision__decided_by"
    ).get(pk=certificate.pk)
    application = certificate.decision.application
    if application is not None:
        return chain_for_application(application, certificate=certificate)
    decision = (
        CertificationDecision.objects.select_related(
            "decided_by", "recorded_by", "scheme_version__scheme"
        )
        .prefetch_related("scope_items")
        .get(pk=certificate.decision_id)
    )
    chain = EvidenceChain(
        person=certificate.holder,
        application=None,
        evidence_files=[],
        eligibility_reviews=[],
        accommodations=[],
        assessments=[],
        assessment=None,
        other_declarations=[],
        decisions=[decision],
        certificate=certificate,
        versions=_versions(certificate),
        status_changes=_status_changes(certificate),
        audit_events=[],
    )
    chain.audit_events = _audit_events(_records(chain))
    return chain
