"""Reads of the corrective and preventive action register: lists, ageing, overdue, by source."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peritus.qms.models import (
    FINISHED_STATUSES,
    ActionStep,
    CorrectiveAction,
)

# Ageing bands of open actions, in days since they were raised (upper bound included).
AGEING_BANDS: tuple[tuple[int | None, Any], ...] = (
    (30, _("Up to 30 days")),
    (60, _("31 to 60 days")),
    (90, _("61 to 90 days")),
    (None, _("More than 90 days")),
)


def implementer_ids(corrective_action: CorrectiveAction) -> set[int]:
    """Who implemented the action (owners of its steps and whoever recorded them done): R29."""
    ids: set[int] = set()
    for owner_id, completed_by_id in ActionStep.objects.filter(
        corrective_action=corrective_action
    ).values_list("owner_id", "completed_by_id"):
        ids.update(filter(None, (owner_id, completed_by_id)))
    return ids


def corrective_action_queryset() -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.select_related("owner", "raised_by", "closed_by").annotate(
        step_count=Count("steps", distinct=True),
        open_step_count=Count("steps", filter=Q(steps__completed_at__isnull=True), distinct=True),
    )


def overdue_step_exists(today: dt.date) -> Exists:
    return Exists(
        ActionStep.objects.filter(
            corrective_action=OuterRef("pk"), completed_at__isnull=True, due_on__lt=today
        )
    )


def overdue_filter(today: dt.date) -> Q:
    """Not finished and past its date to close by, or with an action step past its due date."""
    late = Q(due_on__lt=today) | Q(overdue_step_exists(today))
    return ~Q(status__in=FINISHED_STATUSES) & late


def list_corrective_actions(
    *,
    status: str = "",
    source: str = "",
    kind: str = "",
    overdue: bool = False,
    query: str = "",
    owner: Any = None,
    on: dt.date | None = None,
) -> QuerySet[CorrectiveAction]:
    """The register, newest first; `status` "open" means every action not closed or cancelled."""
    today = on or timezone.localdate()
    actions = corrective_action_queryset().annotate(has_overdue_step=overdue_step_exists(today))
    if status == "open":
        actions = actions.exclude(status__in=FINISHED_STATUSES)
    elif status:
        actions = actions.filter(status=status)
    if source:
        actions = actions.filter(source=source)
    if kind:
        actions = actions.filter(kind=kind)
    if overdue:
        actions = actions.filter(overdue_filter(today))
    if owner is not None:
        owner_id = getattr(owner, "pk", owner)
        actions = actions.filter(Q(owner_id=owner_id) | Q(steps__owner_id=owner_id)).distinct()
    if query.strip():
        term = query.strip()
        actions = actions.filter(
            Q(reference__iexact=term) | Q(title__icontains=term) | Q(source_label__icontains=term)
        )
    return actions.order_by("-raised_at", "-pk")


def get_corrective_action_queryset() -> QuerySet[CorrectiveAction]:
    """One action with everything its page shows."""
    return corrective_action_queryset().prefetch_related(
        models.Prefetch(
            "steps", queryset=ActionStep.objects.select_related("owner", "completed_by", "added_by")
        ),
        "effectiveness_checks__checked_by",
    )


def list_corrective_actions_for(record: models.Model) -> QuerySet[CorrectiveAction]:
    """Actions raised from one record (an appeal, a complaint, an audit finding …)."""
    return corrective_action_queryset().filter(
        source_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
        source_id=record.pk,
    )


def is_overdue(corrective_action: CorrectiveAction, *, on: dt.date | None = None) -> bool:
    today = on or timezone.localdate()
    if corrective_action.is_finished:
        return False
    if corrective_action.due_on < today:
        return True
    return any(
        step.completed_at is None and step.due_on < today for step in corrective_action.steps.all()
    )


def age_in_days(corrective_action: CorrectiveAction, *, on: dt.date | None = None) -> int:
    """Days from raising to closing (or to `on` while open)."""
    end = (
        timezone.localdate(corrective_action.closed_at)
        if corrective_action.closed_at is not None
        else (on or timezone.localdate())
    )
    return (end - timezone.localdate(corrective_action.raised_at)).days


def count_open_corrective_actions() -> int:
    return CorrectiveAction.objects.exclude(status__in=FINISHED_STATUSES).count()


def count_overdue_corrective_actions(*, on: dt.date | None = None) -> int:
    today = on or timezone.localdate()
    return CorrectiveAction.objects.filter(overdue_filter(today)).count()


def count_by_status() -> dict[str, int]:
    return dict(
        CorrectiveAction.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
    )


@dataclasses.dataclass(frozen=True)
class AgeingBand:
    label: str
    count: int


def ageing_of_open_actions(*, on: dt.date | None = None) -> list[AgeingBand]:
    """How long open actions have been open (the ageing report of 10.2.7)."""
    today = on or timezone.localdate()
    raised = [
        timezone.localdate(value)
        for value in CorrectiveAction.objects.exclude(status__in=FINISHED_STATUSES).values_list(
            "raised_at", flat=True
        )
    ]
    ages = [(today - day).days for day in raised]
    bands: list[AgeingBand] = []
    lower = -1
    for upper, label in AGEING_BANDS:
        count = sum(1 for age in ages if age > lower and (upper is None or age <= upper))
        bands.append(AgeingBand(str(label), count))
        lower = upper if upper is not None else lower
    return bands


def list_steps_of(user: Any) -> QuerySet[ActionStep]:
    """Action steps a person owns and has not done yet (their to-do list)."""
    return (
        ActionStep.objects.filter(owner=getattr(user, "pk", user), completed_at__isnull=True)
        .exclude(corrective_action__status__in=FINISHED_STATUSES)
        .select_related("corrective_action")
        .order_by("due_on", "pk")
    )
