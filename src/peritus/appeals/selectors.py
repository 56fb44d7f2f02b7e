"""Reads of the appeals: the queue and register, a person's appeals, the panel, deadlines and
durations."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import list_users_with_role
from peritus.appeals.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Appeal,
    AppealAction,
    AppealOutcome,
    AppealStatus,
    PanelMembership,
)


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def appeal_queryset() -> QuerySet[Appeal]:
    return Appeal.objects.select_related(
        "appellant__user", "scheme", "decided_by", "recorded_by", "admitted_by", "closed_by"
    )


def get_appeal_queryset() -> QuerySet[Appeal]:
    """One appeal with everything its page shows."""
    return appeal_queryset().prefetch_related(
        Prefetch(
            "panel",
            queryset=PanelMembership.objects.select_related("member", "assigned_by", "declaration"),
        ),
        "notes__author",
        "updates__author",
        Prefetch(
            "actions",
            queryset=AppealAction.objects.select_related(
                "assignee", "done_by", "new_decision", "corrective_action"
            ),
        ),
    )


def overdue_filter(today: dt.date) -> Q:
    """Acknowledgement or decision past its date (R23: missed deadlines show)."""
    late_acknowledgement = Q(acknowledged_at__isnull=True, acknowledge_due_on__lt=today) & ~Q(
        status__in=FINISHED_STATUSES
    )
    late_decision = Q(status__in=OPEN_STATUSES, decision_due_on__lt=today)
    return late_acknowledgement | late_decision


def list_appeals(
    *,
    status: str = "",
    subject_kind: str = "",
    overdue: bool = False,
    query: str = "",
    on: dt.date | None = None,
) -> QuerySet[Appeal]:
    """The queue ("open": received or under review) or the register (every appeal)."""
    today = on or timezone.localdate()
    appeals = appeal_queryset().annotate(
        panel_size=Count("panel", filter=Q(panel__ended_at__isnull=True), distinct=True)
    )
    if status == "open":
        appeals = appeals.filter(status__in=OPEN_STATUSES)
    elif status:
        appeals = appeals.filter(status=status)
    if subject_kind:
        appeals = appeals.filter(subject_kind=subject_kind)
    if overdue:
        appeals = appeals.filter(overdue_filter(today))
    if query.strip():
        term = query.strip()
        appeals = appeals.filter(
            Q(reference__iexact=term)
            | Q(subject_label__icontains=term)
            | Q(appellant__family_name__icontains=term)
        )
    return appeals.order_by("-received_at", "-pk")


def list_appeals_of_person(person: Any) -> QuerySet[Appeal]:
    return appeal_queryset().filter(appellant=_pk(person)).order_by("-received_at", "-pk")


def list_panel(appeal: Appeal) -> list[PanelMembership]:
    """The current members of the appeal's panel."""
    return [membership for membership in appeal.panel.all() if membership.ended_at is None]


def count_by_status() -> dict[str, int]:
    return dict(Appeal.objects.values_list("status").annotate(n=Count("pk")).order_by("status"))


@dataclasses.dataclass(frozen=True)
class RegisterStatistics:
    """The register's figures for management review (10.2.5): how many, how decided, how fast."""

    by_status: list[tuple[str, int]]
    by_outcome: list[tuple[str, int]]
    decided: int
    decided_late: int
    mean_days_to_decision: float | None


def register_statistics() -> RegisterStatistics:
    status_counts = count_by_status()
    outcome_counts = dict(
        Appeal.objects.exclude(outcome="")
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .order_by("outcome")
    )
    decided = list(
        Appeal.objects.filter(decided_at__isnull=False).only(
            "received_at", "decided_at", "decision_due_on"
        )
    )
    days = [
        (timezone.localdate(a.decided_at) - timezone.localdate(a.received_at)).days
        for a in decided
        if a.decided_at is not None
    ]
    late = sum(
        1
        for a in decided
        if a.decided_at is not None and timezone.localdate(a.decided_at) > a.decision_due_on
    )
    return RegisterStatistics(
        by_status=[
            (str(label), status_counts.get(value, 0)) for value, label in AppealStatus.choices
        ],
        by_outcome=[
            (str(label), outcome_counts.get(value, 0)) for value, label in AppealOutcome.choices
        ],
        decided=len(decided),
        decided_late=late,
        mean_days_to_decision=round(sum(days) / len(days), 1) if days else None,
    )


def count_overdue(*, on: dt.date | None = None) -> int:
    return Appeal.objects.filter(overdue_filter(on or timezone.localdate())).count()


def count_open() -> int:
    return Appeal.objects.filter(status__in=OPEN_STATUSES).count()


@dataclasses.dataclass(frozen=True)
class Lateness:
    acknowledgement: bool
    decision: bool

    @property
    def any(self) -> bool:
        return self.acknowledgement or self.decision


def lateness(appeal: Appeal, *, on: dt.date | None = None) -> Lateness:
    """Which deadline is missed now (or was missed, for the acknowledgement)."""
    today = on or timezone.localdate()
    if appeal.acknowledged_at is not None:
        acknowledgement = timezone.localdate(appeal.acknowledged_at) > appeal.acknowledge_due_on
    else:
        acknowledgement = not appeal.is_finished and today > appeal.acknowledge_due_on
    if appeal.decided_at is not None:
        decision = timezone.localdate(appeal.decided_at) > appeal.decision_due_on
    else:
        decision = appeal.is_open and today > appeal.decision_due_on
    return Lateness(acknowledgement, decision)


def duration_days(appeal: Appeal, *, on: dt.date | None = None) -> int:
    """Days from receipt to the decision (or to the end of the case, or to `on` while open)."""
    end_at = appeal.decided_at or appeal.closed_at or appeal.withdrawn_at
    end = timezone.localdate(end_at) if end_at is not None else (on or timezone.localdate())
    return (end - timezone.localdate(appeal.received_at)).days


def age_in_days(appeal: Appeal, *, on: dt.date | None = None) -> int:
    return ((on or timezone.localdate()) - timezone.localdate(appeal.received_at)).days


def list_open_actions_of(user: Any) -> QuerySet[AppealAction]:
    """Actions resulting from appeals assigned to `user` and not done (their to-do list)."""
    return (
        AppealAction.objects.filter(assignee=_pk(user), done_at__isnull=True)
        .select_related("appeal")
        .order_by("due_on", "pk")
    )


def list_appeals_for_panel_member(user: Any) -> QuerySet[Appeal]:
    return list_appeals(status="open").filter(panel__member=_pk(user), panel__ended_at__isnull=True)


def get_appeal_of_person(person: Any, reference: str) -> Appeal | None:
    """The person's own appeal `reference`, or None (another person's appeal never shows)."""
    if person is None:
        return None
    return get_appeal_queryset().filter(appellant=_pk(person), reference=reference).first()


def find_person_by_email(email: str) -> Person | None:
    """The person whose record (or account) has `email`, for staff recording an appeal."""
    email = email.strip()
    if not email:
        return None
    person = Person.objects.filter(email__iexact=email).order_by("pk").first()
    if person is None:
        person = Person.objects.filter(user__email__iexact=email).order_by("pk").first()
    return person


def list_panel_candidates() -> QuerySet[User]:
    """Everyone who holds the appeals panel role now (the service checks independence)."""
    return list_users_with_role(RoleCode.APPEALS_PANEL).order_by("family_name", "email")


def list_decision_makers(appeal: Appeal) -> QuerySet[User]:
    return list_users_with_role(RoleCode.DECISION_MAKER, scheme_id=appeal.scheme_id).order_by(
        "family_name", "email"
    )


def list_action_owners() -> QuerySet[User]:
    """Who may own a corrective action: the quality managers and the appeals panel."""
    ids = set(list_users_with_role(RoleCode.QUALITY_MANAGER).values_list("pk", flat=True))
    ids.update(list_panel_candidates().values_list("pk", flat=True))
    return User.objects.filter(pk__in=ids).order_by("family_name", "email")
