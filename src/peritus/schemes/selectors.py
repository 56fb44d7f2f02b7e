"""Reads about schemes and their versions."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from peritus.schemes.models import (
    AssessmentComponent,
    CombinationRule,
    CompetenceDomain,
    Prerequisite,
    Scheme,
    SchemeVersion,
    SchemeVersionStatus,
)
from peritus.schemes.pass_rules import ComponentRule, PassRule, RuleKind


def get_current_version(scheme: Scheme | int) -> SchemeVersion | None:
    """The published version new applications use, or None when the scheme takes none."""
    scheme_id = scheme if isinstance(scheme, int) else scheme.pk
    return (
        SchemeVersion.objects.select_related("scheme")
        .filter(scheme_id=scheme_id, status=SchemeVersionStatus.PUBLISHED)
        .first()
    )


def get_scheme_by_slug(slug: str) -> Scheme:
    """The scheme with this slug; raises Scheme.DoesNotExist."""
    return Scheme.objects.get(slug=slug)


def list_public_schemes() -> QuerySet[Scheme]:
    """Schemes with a published version, each with `current_versions` prefetched (one item)."""
    published = SchemeVersion.objects.filter(status=SchemeVersionStatus.PUBLISHED)
    return (
        Scheme.objects.filter(versions__status=SchemeVersionStatus.PUBLISHED)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=published.prefetch_related("scope_items", "components"),
                to_attr="current_versions",
            )
        )
        .order_by("name")
        .distinct()
    )


def list_schemes() -> QuerySet[Scheme]:
    """Every scheme, for the office."""
    return Scheme.objects.prefetch_related("versions").order_by("name")


def list_versions(scheme: Scheme) -> QuerySet[SchemeVersion]:
    return (
        SchemeVersion.objects.filter(scheme=scheme)
        .select_related("scheme", "created_by", "approved_by", "published_by", "retired_by")
        .order_by("-created_at", "-pk")
    )


def get_version_with_parts(version_id: int) -> SchemeVersion:
    """A version with every part a page shows prefetched; raises SchemeVersion.DoesNotExist."""
    return (
        SchemeVersion.objects.select_related(
            "scheme", "created_by", "approved_by", "published_by", "retired_by", "based_on"
        )
        .prefetch_related(
            "scope_items",
            Prefetch(
                "competence_domains",
                queryset=CompetenceDomain.objects.prefetch_related("tasks"),
            ),
            Prefetch(
                "prerequisites", queryset=Prerequisite.objects.prefetch_related("scope_items")
            ),
            "components",
            "fees",
            "contributors",
        )
        .get(pk=version_id)
    )


def get_pass_rule(scheme_version: SchemeVersion) -> PassRule:
    """The version's combination rule over its components, for `pass_rules.evaluate`."""
    components: list[AssessmentComponent] = list(
        AssessmentComponent.objects.filter(scheme_version=scheme_version).order_by(
            "position", "code"
        )
    )
    return PassRule(
        kind=RuleKind(scheme_version.combination_rule),
        components=tuple(
            ComponentRule(
                code=component.code,
                max_score=component.max_score,
                pass_mark=component.pass_mark,
                weight=component.weight,
                required=component.required,
            )
            for component in components
        ),
        overall_pass_percent=scheme_version.overall_pass_percent,
    )


def list_missing_parts(version: SchemeVersion) -> list[tuple[str, str]]:
    """What a version lacks before it may be approved and published: (code, sentence) pairs."""
    missing: list[tuple[str, str]] = []
    if not version.scope_statement.strip():
        missing.append(("scope_statement", str(_("the scope of certification is not described"))))
    if not version.scope_items.exists():
        missing.append(("scope_items", str(_("no scope item"))))
    domains = list(version.competence_domains.all())
    if not domains:
        missing.append(("competence", str(_("no competence domain"))))
    elif sum((domain.weight for domain in domains), Decimal(0)) != Decimal(100):
        missing.append(("competence_weights", str(_("competence weights do not add up to 100"))))
    if not version.prerequisites.exists():
        missing.append(("prerequisites", str(_("no prerequisite"))))
    components = list(version.components.all())
    if not any(component.required for component in components):
        missing.append(("components", str(_("no required assessment component"))))
    elif version.combination_rule != CombinationRule.CONJUNCTIVE:
        if version.overall_pass_percent is None:
            missing.append(("pass_rule", str(_("the overall pass mark is not set"))))
        if not any(component.weight > 0 for component in components):
            missing.append(("pass_rule", str(_("no component carries a weight"))))
    if not version.validity_months:
        missing.append(("validity", str(_("the validity period is not set"))))
    if not version.recertification_requirements.strip():
        missing.append(
            ("recertification", str(_("the recertification requirements are not described")))
        )
    if not (version.suspension_criteria.strip() and version.withdrawal_criteria.strip()):
        missing.append(
            ("suspension", str(_("the criteria for suspension and withdrawal are not described")))
        )
    if not version.code_of_conduct.strip():
        missing.append(("code_of_conduct", str(_("no code of conduct"))))
    if not version.attestation_text.strip():
        missing.append(("attestation", str(_("no attestation for applicants to sign"))))
    if not version.certificate_terms.strip():
        missing.append(("certificate_terms", str(_("no rules on the use of certificates"))))
    if not version.fees.exists():
        missing.append(("fees", str(_("no fee"))))
    if not (version.appeals_policy.strip() and version.complaints_policy.strip()):
        missing.append(
            ("appeals_complaints", str(_("the appeals and complaints processes are not described")))
        )
    return missing


def list_public_versions(scheme: Scheme) -> list[SchemeVersion]:
    """Every version ever published, newest first (rule 11: each publication is kept)."""
    return list(
        SchemeVersion.objects.filter(
            scheme=scheme,
            status__in=(SchemeVersionStatus.PUBLISHED, SchemeVersionStatus.RETIRED),
        ).order_by("-published_at", "-pk")
    )


def list_schemes_with_status() -> QuerySet[Scheme]:
    """Schemes for the office list, each with counts of drafts and approved versions."""
    return Scheme.objects.annotate(
        drafts=Count("versions", filter=Q(versions__status=SchemeVersionStatus.DRAFT)),
        approved=Count("versions", filter=Q(versions__status=SchemeVersionStatus.APPROVED)),
        published_label=Max(
            "versions__version", filter=Q(versions__status=SchemeVersionStatus.PUBLISHED)
        ),
    ).order_by("name")
