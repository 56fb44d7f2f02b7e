"""Factories for schemes and their versions: typed functions with realistic defaults."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from peritus.schemes.models import (
    AssessmentComponent,
    AssessmentComponentKind,
    CombinationRule,
    CompetenceDomain,
    CompetenceTask,
    Fee,
    FeeKind,
    Prerequisite,
    PrerequisiteKind,
    Scheme,
    SchemeVersion,
    SchemeVersionStatus,
    ScopeItem,
)

_sequence = itertools.count(1)

VERSION_TEXTS: dict[str, Any] = {
    "scope_statement": "Inspection of butt welds on carbon-steel pipelines before coating.",
    "job_description": "The inspector checks preparation, welding and finished welds.",
    "assessment_overview": "A written examination followed by a practical inspection task.",
    "validity_months": 36,
    "surveillance_interval_months": 12,
    "surveillance_requirements": "Yearly statement of continued activity signed by the employer.",
    "recertification_requirements": "Evidence of 24 months of inspection work in the cycle.",
    "suspension_criteria": "Failure to submit the yearly statement; a founded complaint.",
    "withdrawal_criteria": "Suspension unresolved after six months; fraud.",
    "scope_change_rules": "A level may be withdrawn on its own after a founded complaint.",
    "code_of_conduct": "I will act honestly, impartially and within my certified scope.",
    "attestation_text": "I declare that the information in this application is true and complete.",
    "certificate_terms": "The certificate may be used only for the scope shown and while valid.",
    "required_documents": "A copy of an identity document with a photograph.",
    "appeals_policy": "Appeals are heard by a panel not involved in the decision.",
    "complaints_policy": "Complaints are acknowledged within five working days.",
    "impartiality_statement": "The body manages its activities impartially.",
}


def make_scheme(**fields: Any) -> Scheme:
    n = next(_sequence)
    values: dict[str, Any] = {
        "code": f"SCH{n:03d}",
        "slug": f"scheme-{n}",
        "name": f"Certified Pipeline Inspector {n}",
        "summary": "Inspection of welded pipelines for oil and gas transport.",
        "sector": "Energy",
    }
    values.update(fields)
    return Scheme.objects.create(**values)


def make_version(*, scheme: Scheme | None = None, **fields: Any) -> SchemeVersion:
    """A version (draft by default) with every text filled in and no parts."""
    values: dict[str, Any] = {"version": f"2026.{next(_sequence)}", **VERSION_TEXTS}
    values.update(fields)
    return SchemeVersion.objects.create(scheme=scheme or make_scheme(), **values)


def make_scope_item(version: SchemeVersion, **fields: Any) -> ScopeItem:
    values: dict[str, Any] = {"code": f"S{next(_sequence)}", "title": "Visual inspection of welds"}
    values.update(fields)
    return ScopeItem.objects.create(scheme_version=version, **values)


def make_domain(version: SchemeVersion, **fields: Any) -> CompetenceDomain:
    values: dict[str, Any] = {
        "code": f"D{next(_sequence)}",
        "title": "Weld inspection",
        "weight": Decimal(100),
    }
    values.update(fields)
    return CompetenceDomain.objects.create(scheme_version=version, **values)


def make_prerequisite(version: SchemeVersion, **fields: Any) -> Prerequisite:
    values: dict[str, Any] = {
        "code": f"P{next(_sequence)}",
        "kind": PrerequisiteKind.EXPERIENCE,
        "description": "At least 24 months of work in welding or weld inspection.",
        "minimum_months": 24,
        "evidence_description": "A letter from your employer stating your role and dates.",
        "evidence_required": True,
    }
    values.update(fields)
    return Prerequisite.objects.create(scheme_version=version, **values)


def make_component(version: SchemeVersion, **fields: Any) -> AssessmentComponent:
    values: dict[str, Any] = {
        "code": f"C{next(_sequence)}",
        "name": "Written examination",
        "kind": AssessmentComponentKind.WRITTEN,
        "max_score": Decimal(100),
        "pass_mark": Decimal(70),
        "weight": Decimal(1),
        "required": True,
    }
    values.update(fields)
    return AssessmentComponent.objects.create(scheme_version=version, **values)


def make_fee(version: SchemeVersion, **fields: Any) -> Fee:
    values: dict[str, Any] = {
        "kind": FeeKind.APPLICATION,
        "description": "Application and eligibility review",
        "amount": Decimal("150.00"),
        "currency": "EUR",
    }
    values.update(fields)
    return Fee.objects.create(scheme_version=version, **values)


def make_complete_version(
    *,
    scheme: Scheme | None = None,
    status: str = SchemeVersionStatus.DRAFT,
    combination_rule: str = CombinationRule.CONJUNCTIVE,
    overall_pass_percent: Decimal | None = None,
    components: int = 1,
    **fields: Any,
) -> SchemeVersion:
    """A version holding every mandatory part: two scope levels, competence, a prerequisite,
    `components` assessment components (C1, C2 …) and a fee, in the given status."""
    if status in (SchemeVersionStatus.APPROVED, SchemeVersionStatus.PUBLISHED):
        fields.setdefault("approved_at", timezone.now())
    if status in (SchemeVersionStatus.PUBLISHED, SchemeVersionStatus.RETIRED):
        fields.setdefault("published_at", timezone.now())
    version = make_version(
        scheme=scheme,
        status=status,
        combination_rule=combination_rule,
        overall_pass_percent=overall_pass_percent,
        **fields,
    )
    make_scope_item(version, code="L1", title="Level 1", level="1", position=1)
    make_scope_item(version, code="L2", title="Level 2", level="2", position=2)
    domain = make_domain(version)
    CompetenceTask.objects.create(domain=domain, code="T1", title="Check weld preparation")
    make_prerequisite(version)
    for index in range(components):
        make_component(version, code=f"C{index + 1}", position=index)
    make_fee(version)
    return version


def make_published_version(**fields: Any) -> SchemeVersion:
    return make_complete_version(status=SchemeVersionStatus.PUBLISHED, **fields)
