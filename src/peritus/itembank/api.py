"""Item bank API. Item text and keys are returned only to those who may see items (7.3/7.4)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from peritus.core.access import get_object_for
from peritus.itembank import selectors
from peritus.itembank.models import ExamForm, Item, ItemBank
from peritus.itembank.schemas import BankOut, FormOut, ItemOut, ItemSummaryOut

router = Router(tags=["itembank"])


def _summary(item: Item) -> dict[str, Any]:
    version = item.current_version
    return {
        "identifier": item.identifier,
        "status": item.status,
        "version": version.number if version else None,
        "interaction": version.interaction if version else None,
        "title": version.title if version else None,
        "domain": item.competence_domain.code if item.competence_domain else None,
        "cognitive_level": item.cognitive_level,
        "tags": list(item.tags),
        "max_score": float(version.max_score) if version else None,
        "exposure_count": item.exposure_count,
    }


def _bank(request: HttpRequest, slug: str) -> ItemBank:
    return get_object_for(
        request.user,
        ItemBank.objects.select_related("scheme"),
        view_perm="itembank.view_itembank",
        slug=slug,
    )


@router.get("/itembank/banks", response=list[BankOut], summary="Item banks you may open")
def list_banks(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"slug": b.slug, "name": b.name, "scheme_code": b.scheme.code, "item_count": b.item_count}  # type: ignore[attr-defined]
        for b in selectors.list_banks_for(request.user)
    ]


@router.get(
    "/itembank/banks/{slug}/items",
    response=list[ItemSummaryOut],
    summary="Items of a bank (no text)",
)
def list_items(
    request: HttpRequest,
    slug: str,
    *,
    status: str = "",
    q: str = "",
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    bank = _bank(request, slug)
    items = selectors.search_items(bank, text=q, status=status)[
        max(offset, 0) : max(offset, 0) + min(max(limit, 1), 500)
    ]
    return [_summary(item) for item in items]


@router.get(
    "/itembank/banks/{slug}/items/{identifier}",
    response=ItemOut,
    summary="One item with its text and key",
)
def get_item(request: HttpRequest, slug: str, identifier: str) -> dict[str, Any]:
    bank = _bank(request, slug)
    item = get_object_for(
        request.user, Item.objects.select_related("current_version", "competence_domain", "bank"),
        view_perm="itembank.view_item", bank=bank, identifier=identifier,
    )  # fmt: skip
    version = item.current_version
    return {
        **_summary(item),
        "content": version.content if version else {},
        "language": version.language if version else "",
        "references": version.references if version else "",
        "updated_at": item.updated_at,
    }


@router.get(
    "/itembank/banks/{slug}/forms/{code}",
    response=FormOut,
    summary="An exam form and its item versions",
)
def get_form(request: HttpRequest, slug: str, code: str) -> dict[str, Any]:
    bank = _bank(request, slug)
    form = get_object_for(
        request.user, ExamForm.objects.select_related("blueprint"), view_perm="itembank.view_form",
        blueprint__bank=bank, code=code,
    )  # fmt: skip
    entries = form.entries.select_related("item_version__item")
    return {
        "code": form.code,
        "status": form.status,
        "blueprint": form.blueprint.name,
        "time_limit_minutes": form.blueprint.time_limit_minutes,
        "entries": [
            {"position": e.position, "item_identifier": e.item_version.item.identifier,
             "item_version_id": e.item_version_id, "version": e.item_version.number, "points": float(e.points)}
            for e in entries
        ],
    }  # fmt: skip
