"""Scheme information the standard requires to be public, read-only; all versions for staff."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from peritus.schemes import selectors
from peritus.schemes.models import Scheme, SchemeVersion
from peritus.schemes.schemas import SchemeOut, SchemeSummaryOut, VersionOut, VersionSummaryOut

router = Router(tags=["schemes"])


def serialise_version(version: SchemeVersion) -> dict[str, Any]:
    """The version with its parts, shaped as VersionOut."""
    plain = {
        name: getattr(version, name)
        for name in VersionOut.model_fields
        if name not in ("scope_items", "competence_domains", "prerequisites", "components", "fees")
    }
    return {
        **plain,
        "scope_items": list(version.scope_items.all()),
        "competence_domains": [
            {**{f: getattr(domain, f) for f in ("code", "title", "description", "weight")},
             "tasks": list(domain.tasks.all())}
            for domain in version.competence_domains.all()
        ],
        "prerequisites": [
            {**{f: getattr(p, f) for f in ("code", "kind", "description", "minimum_months",
                                           "minimum_hours", "evidence_description",
                                           "evidence_required", "alternative_group")},
             "scope_items": [item.code for item in p.scope_items.all()]}
            for p in version.prerequisites.all()
        ],
        "components": list(version.components.all()),
        "fees": list(version.fees.all()),
    }  # fmt: skip


@router.get(
    "/schemes",
    auth=None,
    response=list[SchemeSummaryOut],
    summary="Schemes open for certification, with their current version",
)
def list_schemes(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": scheme.code,
            "slug": scheme.slug,
            "name": scheme.name,
            "summary": scheme.summary,
            "sector": scheme.sector,
            "current_version": scheme.current_versions[0].version  # type: ignore[attr-defined]
            if scheme.current_versions  # type: ignore[attr-defined]
            else None,
        }
        for scheme in selectors.list_public_schemes()
    ]


@router.get(
    "/schemes/{slug}",
    auth=None,
    response=SchemeOut,
    summary="A scheme and its published version: scope, requirements, assessment, fees, rules",
)
def get_scheme(request: HttpRequest, slug: str) -> dict[str, Any]:
    scheme = Scheme.objects.filter(slug=slug).first()
    current = selectors.get_current_version(scheme) if scheme is not None else None
    if scheme is None or current is None:
        raise Http404
    version = selectors.get_version_with_parts(current.pk)
    return {
        "code": scheme.code,
        "slug": scheme.slug,
        "name": scheme.name,
        "summary": scheme.summary,
        "sector": scheme.sector,
        "owner_name": scheme.owner_name,
        "current_version": serialise_version(version),
    }


@router.get(
    "/schemes/{slug}/versions",
    response=list[VersionSummaryOut],
    summary="Every version of a scheme, drafts included (staff who work with schemes)",
)
def list_versions(request: HttpRequest, slug: str) -> Any:
    scheme = Scheme.objects.filter(slug=slug).first()
    if scheme is None or not request.user.has_perm("schemes.view_office_schemes", scheme):
        raise Http404
    return selectors.list_versions(scheme)


@router.get(
    "/schemes/{slug}/versions/{version_id}",
    response=VersionOut,
    summary="One version of a scheme with its parts (staff who work with schemes)",
)
def get_version(request: HttpRequest, slug: str, version_id: int) -> dict[str, Any]:
    scheme = Scheme.objects.filter(slug=slug).first()
    if scheme is None or not request.user.has_perm("schemes.view_office_schemes", scheme):
        raise Http404
    try:
        version = selectors.get_version_with_parts(version_id)
    except SchemeVersion.DoesNotExist:
        raise Http404 from None
    if version.scheme_id != scheme.pk:
        raise Http404
    return serialise_version(version)
