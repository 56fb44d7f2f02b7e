from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class ScopeItemOut(Schema):
    code: str
    title: str
    level: str
    description: str
    limitations: str


class CompetenceTaskOut(Schema):
    code: str
    title: str
    knowledge_and_skills: str


class CompetenceDomainOut(Schema):
    code: str
    title: str
    description: str
    weight: Decimal
    tasks: list[CompetenceTaskOut]


class PrerequisiteOut(Schema):
    code: str
    kind: str
    description: str
    minimum_months: int | None
    minimum_hours: int | None
    evidence_description: str
    evidence_required: bool
    alternative_group: str
    scope_items: list[str]


class ComponentOut(Schema):
    code: str
    name: str
    kind: str
    description: str
    delivery: str
    duration_minutes: int | None
    max_score: Decimal
    pass_mark: Decimal
    weight: Decimal
    required: bool


class FeeOut(Schema):
    kind: str
    description: str
    amount: Decimal
    currency: str


class VersionSummaryOut(Schema):
    id: int
    version: str
    status: str
    published_at: dt.datetime | None
    retired_at: dt.datetime | None


class VersionOut(VersionSummaryOut):
    standard_reference: str
    scope_statement: str
    job_description: str
    assessment_overview: str
    combination_rule: str
    overall_pass_percent: Decimal | None
    validity_months: int | None
    surveillance_interval_months: int | None
    surveillance_requirements: str
    recertification_requirements: str
    recertification_window_months: int
    cpd_hours_per_cycle: int | None
    suspension_criteria: str
    withdrawal_criteria: str
    scope_change_rules: str
    code_of_conduct: str
    certificate_terms: str
    required_documents: str
    appeals_policy: str
    complaints_policy: str
    impartiality_statement: str
    fees_note: str
    scope_items: list[ScopeItemOut]
    competence_domains: list[CompetenceDomainOut]
    prerequisites: list[PrerequisiteOut]
    components: list[ComponentOut]
    fees: list[FeeOut]


class SchemeSummaryOut(Schema):
    code: str
    slug: str
    name: str
    summary: str
    sector: str
    current_version: str | None


class SchemeOut(Schema):
    code: str
    slug: str
    name: str
    summary: str
    sector: str
    owner_name: str
    current_version: VersionOut
