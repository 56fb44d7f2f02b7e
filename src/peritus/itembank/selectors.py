"""Reads of the item bank. Every list is scoped by the caller's access (see `rules.py`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from peritus.accounts.selectors import role_grants
from peritus.itembank.models import (
    ExamForm,
    FormStatus,
    Item,
    ItemBank,
    ItemReview,
    ItemStatistics,
    ItemVersion,
)
from peritus.itembank.rules import ITEM_ROLES, behind_information_barrier


def visible_scheme_ids(user: Any) -> set[int] | None:
    """Schemes whose items `user` may see; None means every scheme; empty means none."""
    grants = role_grants(user)
    if behind_information_barrier(user):
        return set()
    item_roles = {role.value for role in ITEM_ROLES}
    relevant = [g for g in grants if g.active and g.role in item_roles]
    if any(g.scheme_id is None for g in relevant):
        return None
    return {g.scheme_id for g in relevant if g.scheme_id is not None}


def list_banks_for(user: Any) -> QuerySet[ItemBank]:
    schemes = visible_scheme_ids(user)
    banks = ItemBank.objects.select_related("scheme").annotate(item_count=Count("items"))
    return banks if schemes is None else banks.filter(scheme_id__in=schemes)


def get_bank_by_slug(slug: str) -> ItemBank:
    return ItemBank.objects.select_related("scheme").get(slug=slug)


def search_items(
    bank: ItemBank,
    *,
    text: str = "",
    status: str = "",
    interaction: str = "",
    domain_id: int | None = None,
    level: str = "",
    tag: str = "",
) -> QuerySet[Item]:
    """Items of a bank matching the filters, with what a list shows (no N+1)."""
    items = Item.objects.filter(bank=bank).select_related(
        "current_version", "competence_domain", "author"
    )
    if text:
        items = items.filter(
            Q(identifier__icontains=text)
            | Q(current_version__title__icontains=text)
            | Q(current_version__content__icontains=text)
        )
    if status:
        items = items.filter(status=status)
    if interaction:
        items = items.filter(current_version__interaction=interaction)
    if domain_id:
        items = items.filter(competence_domain_id=domain_id)
    if level:
        items = items.filter(cognitive_level=level)
    if tag:
        items = items.filter(tags__icontains=tag)
    return items.order_by("identifier")


def list_versions(item: Item) -> QuerySet[ItemVersion]:
    return item.versions.select_related("created_by", "stimulus").order_by("-number")


def list_reviews(item: Item) -> QuerySet[ItemReview]:
    return ItemReview.objects.filter(item_version__item=item).select_related(
        "reviewer", "item_version"
    )


def list_statistics_history(item: Item) -> QuerySet[ItemStatistics]:
    """Every analysis of every version of the item, newest first (shown beside the item)."""
    return (
        ItemStatistics.objects.filter(item_version__item=item)
        .select_related("item_version")
        .order_by("-computed_at", "-pk")
    )


def list_forms(bank: ItemBank) -> QuerySet[ExamForm]:
    return (
        ExamForm.objects.filter(blueprint__bank=bank)
        .select_related("blueprint", "assembled_by", "approved_by")
        .annotate(item_count=Count("entries"))
    )


def list_approved_forms(*, component: Any | None = None) -> QuerySet[ExamForm]:
    """Frozen forms ready for delivery (used by exams)."""
    forms = ExamForm.objects.filter(status=FormStatus.APPROVED).select_related("blueprint")
    if component is not None:
        forms = forms.filter(blueprint__component=component)
    return forms


def get_form_for_delivery(form_id: int) -> ExamForm:
    """An approved form released for use with an approved cut score (R18; see
    `statistics.services.release_form_for_use`), with its entries and item versions, in order
    (used by exams)."""
    return (
        ExamForm.objects.filter(status=FormStatus.APPROVED, release__isnull=False)
        .prefetch_related("entries__item_version__stimulus")
        .select_related("blueprint__component")
        .get(pk=form_id)
    )


def is_item_staff(user: Any) -> bool:
    schemes = visible_scheme_ids(user)
    return schemes is None or bool(schemes)
