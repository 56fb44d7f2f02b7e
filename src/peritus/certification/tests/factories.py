"""Factories for decisions and certificates: typed functions with realistic defaults.

Decisions made here skip `decide_certification` (whose own tests cover its rules); certificates
are issued through the real service, so they carry a real number, seal and PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.applications.models import Application
from peritus.applications.tests.factories import make_eligible_application
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    CertificateTermsAcceptance,
    CertificationDecision,
    DecisionKind,
    DecisionOutcome,
)
from peritus.certification.selectors import current_terms
from peritus.certification.services import issue_certificate
from peritus.exams.services import assign_personnel, release_result
from peritus.exams.tests.factories import make_event, mark, ready_to_mark
from peritus.schemes.models import SchemeVersion, ScopeItem
from peritus.schemes.tests.factories import make_published_version


def accept_terms(person: Person, application: Application) -> CertificateTermsAcceptance:
    label, digest = current_terms(application.scheme_version)
    acceptance, _created = CertificateTermsAcceptance.objects.get_or_create(
        person=person,
        scheme_version=application.scheme_version,
        terms_sha256=digest,
        defaults={"terms_version": label, "accepted_at": timezone.now()},
    )
    return acceptance


def make_decision(
    *,
    application: Application | None = None,
    outcome: str = DecisionOutcome.GRANT,
    decided_by: User | None = None,
    scope: list[ScopeItem] | None = None,
    decided_at: dt.datetime | None = None,
    terms_accepted: bool = True,
    **application_fields: Any,
) -> CertificationDecision:
    """A decision on an eligible application (granting every scope item applied for)."""
    application = application or make_eligible_application(**application_fields)
    decided_by = decided_by or make_staff(RoleCode.DECISION_MAKER)
    snapshot = {"application": application.reference}
    decision = CertificationDecision.objects.create(
        kind=DecisionKind.ASSESSED,
        application=application,
        person=application.person,
        scheme_version=application.scheme_version,
        outcome=outcome,
        rationale="All components passed and released; prerequisites verified.",
        decided_by=decided_by,
        decided_at=decided_at or timezone.now(),
        evidence_snapshot=snapshot,
        evidence_digest=hashlib.sha256(repr(snapshot).encode()).hexdigest(),
    )
    if outcome == DecisionOutcome.GRANT:
        items = scope if scope is not None else list(application.scheme_version.scope_items.all())
        decision.scope_items.set(items)
        if terms_accepted:
            accept_terms(application.person, application)
    return decision


def make_certificate(
    *,
    officer: User | None = None,
    status: str = CertificateStatus.VALID,
    status_since: dt.date | None = None,
    valid_from: dt.date | None = None,
    **decision_fields: Any,
) -> Certificate:
    """A certificate issued through the service, then put in `status` (as later services will)."""
    decision = make_decision(**decision_fields)
    officer = officer or make_staff(RoleCode.CERTIFICATION_OFFICER)
    certificate = issue_certificate(decision=decision, actor=officer, valid_from=valid_from)
    if status != CertificateStatus.VALID or status_since is not None:
        Certificate.objects.filter(pk=certificate.pk).update(
            status=status, status_since=status_since or timezone.localdate()
        )
    return Certificate.objects.get(pk=certificate.pk)


def make_assessed_application(
    *,
    officer: User,
    examiner: User,
    person: Person | None = None,
    version: SchemeVersion | None = None,
    scores: tuple[int, ...] = (85,),
    release: bool = True,
    reviewer: User | None = None,
    invigilator: User | None = None,
) -> Application:
    """An eligible application whose components were examined and marked through the exams
    services (one component per score; 70 of 100 passes), released unless `release` is False."""
    version = version or make_published_version(components=len(scores))
    application = make_eligible_application(
        scheme_version=version, person=person, reviewer=reviewer
    )
    for index, score in enumerate(scores):
        component = version.components.get(code=f"C{index + 1}")
        event = make_event(officer, component)
        if invigilator is not None:
            assign_personnel(actor=officer, event=event, user=invigilator, role="invigilator")
        (entry,) = ready_to_mark(officer, examiner, event, application)
        result = mark(examiner, entry, score)
        if release:
            release_result(actor=officer, result=result)
    return Application.objects.get(pk=application.pk)
