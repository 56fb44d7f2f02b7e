"""Reads about schemes and their versions."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from peritus.schemes.models import (
    AssessmentComponent,
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
