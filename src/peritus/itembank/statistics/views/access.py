"""Access-checked fetches for the statistics pages (404 when not visible, 403 when not allowed)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from peritus.core.access import get_object_for
from peritus.itembank.models import ExamForm, ItemBank
from peritus.itembank.statistics.models import StandardSettingStudy, StatisticsReview


def bank_for(request: HttpRequest, slug: str, perm: str | None = None) -> ItemBank:
    return get_object_for(
        request.user, ItemBank.objects.select_related("scheme"),
        view_perm="itembank.view_form_statistics", perm=perm, slug=slug,
    )  # fmt: skip


def form_for(request: HttpRequest, bank: ItemBank, code: str, perm: str | None = None) -> ExamForm:
    return get_object_for(
        request.user,
        ExamForm.objects.select_related("blueprint__bank__scheme", "blueprint__component",
                                        "approved_by"),
        view_perm="itembank.view_form_statistics", perm=perm, blueprint__bank=bank, code=code,
    )  # fmt: skip


def review_for(request: HttpRequest, review_id: int, perm: str | None = None) -> StatisticsReview:
    return get_object_for(
        request.user,
        StatisticsReview.objects.select_related(
            "form__blueprint__bank__scheme", "form__blueprint__component", "reviewer",
            "opened_by", "analysis",
        ),
        view_perm="itembank.view_statistics_review", perm=perm, pk=review_id,
    )  # fmt: skip


def study_for(
    request: HttpRequest, study_id: int, *, view_perm: str, perm: str | None = None
) -> StandardSettingStudy:
    return get_object_for(
        request.user,
        StandardSettingStudy.objects.select_related(
            "form__blueprint__bank__scheme", "form__blueprint__component", "facilitator",
            "decided_by",
        ),
        view_perm=view_perm, perm=perm, pk=study_id,
    )  # fmt: skip


def may(request: HttpRequest, perm: str, obj: Any) -> bool:
    return bool(request.user.has_perm(perm, obj))
