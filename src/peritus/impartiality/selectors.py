"""Reads about declared interests, mitigations, trainer–trainee links and impartiality risks.

Other contexts call these to enforce R1, R13, R15 and R22: the decision (certification), the
assessment (exams), appeals. `user` and `person` may be model instances or primary keys.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from peritus.impartiality.models import (
    ConflictDeclaration,
    ConflictMitigation,
    ImpartialityRisk,
    MitigationStatus,
    RiskStatus,
    TrainingRecord,
)

DEFAULT_TRAINING_LOOKBACK_YEARS = 2  # R1: scheme practice, not a clause; schemes may set their own


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def context_filter(context: models.Model, prefix: str = "") -> Q:
    """The lookup matching declarations made in `context` (an event, an application …)."""
    content_type = ContentType.objects.get_for_model(context, for_concrete_model=False)
    return Q(**{f"{prefix}context_type": content_type, f"{prefix}context_id": context.pk})


def _approved_mitigation() -> Exists:
    return Exists(
        ConflictMitigation.objects.filter(
            declaration=OuterRef("pk"), status=MitigationStatus.APPROVED
        )
    )


def get_latest_declaration(
    user: Any, person: Any, *, context: models.Model | None
) -> ConflictDeclaration | None:
    """The most recent declaration `user` made about `person` in `context` (None: a standing one)."""
    declarations = ConflictDeclaration.objects.filter(declarant=_pk(user), person=_pk(person))
    if context is None:
        declarations = declarations.filter(context_type__isnull=True)
    else:
        declarations = declarations.filter(context_filter(context))
    return declarations.order_by("-declared_at", "-pk").first()


def has_declaration(user: Any, person: Any, *, context: models.Model) -> bool:
    """True once `user` declared (conflict or not) about `person` for `context` (R13)."""
    return ConflictDeclaration.objects.filter(
        context_filter(context), declarant=_pk(user), person=_pk(person)
    ).exists()


def has_declared_conflict(user: Any, person: Any, *, context: models.Model | None = None) -> bool:
    """True if `user` ever declared a conflict of interest with `person` (in `context`, if given)."""
    conflicts = ConflictDeclaration.objects.conflicts().filter(
        declarant=_pk(user), person=_pk(person)
    )
    if context is not None:
        conflicts = conflicts.filter(context_filter(context))
    return conflicts.exists()


def has_unmitigated_conflict(
    user: Any, person: Any, *, context: models.Model | None = None
) -> bool:
    """True if a conflict `user` declared with `person` still blocks them.

    Without `context`: some conflict declaration has no approved mitigation. With `context`: a
    conflict was declared (in any context) and no approved mitigation covers this context, because
    a measure such as "a second examiner marks as well" holds only where it was approved.
    """
    conflicts = ConflictDeclaration.objects.conflicts().filter(
        declarant=_pk(user), person=_pk(person)
    )
    if context is None:
        return conflicts.annotate(mitigated=_approved_mitigation()).filter(mitigated=False).exists()
    if not conflicts.exists():
        return False
    return not has_approved_mitigation(user, person, context=context)


def has_approved_mitigation(user: Any, person: Any, *, context: models.Model) -> bool:
    """True if a measure for a conflict `user` declared with `person` is approved for `context`."""
    return ConflictMitigation.objects.filter(
        context_filter(context, prefix="declaration__"),
        declaration__declarant=_pk(user),
        declaration__person=_pk(person),
        status=MitigationStatus.APPROVED,
    ).exists()


def get_approved_mitigation(
    user: Any, person: Any, *, context: models.Model
) -> ConflictMitigation | None:
    return (
        ConflictMitigation.objects.filter(
            context_filter(context, prefix="declaration__"),
            declaration__declarant=_pk(user),
            declaration__person=_pk(person),
            status=MitigationStatus.APPROVED,
        )
        .order_by("-decided_at", "-pk")
        .first()
    )


def list_declarant_ids_with_conflict(person: Any) -> set[int]:
    """Users who declared a conflict with `person` in any context (for R1 and R22)."""
    return set(
        ConflictDeclaration.objects.conflicts()
        .filter(person=_pk(person))
        .values_list("declarant_id", flat=True)
    )


def _with_relations(declarations: QuerySet[ConflictDeclaration]) -> QuerySet[ConflictDeclaration]:
    return (
        declarations.select_related("declarant", "person", "context_type")
        .prefetch_related("mitigations")
        .annotate(mitigated=_approved_mitigation())
    )


def list_declarations_for_person(person: Any) -> QuerySet[ConflictDeclaration]:
    """Every declaration made about `person`, newest first (the evidence chain of their file)."""
    return _with_relations(ConflictDeclaration.objects.filter(person=_pk(person)))


def list_declarations_of(user: Any) -> QuerySet[ConflictDeclaration]:
    """The declarations `user` made, newest first ("my declarations")."""
    return _with_relations(ConflictDeclaration.objects.filter(declarant=_pk(user)))


def list_declarations_in(context: models.Model) -> QuerySet[ConflictDeclaration]:
    """Declarations made for one context (an assessment event, an application …)."""
    return _with_relations(ConflictDeclaration.objects.filter(context_filter(context)))


def list_declarations(
    *, has_conflict: bool | None = None, nature: str = "", awaiting_mitigation: bool = False
) -> QuerySet[ConflictDeclaration]:
    """The register of declarations for the quality manager and the impartiality committee."""
    declarations = _with_relations(ConflictDeclaration.objects.all())
    if has_conflict is not None:
        declarations = declarations.filter(has_conflict=has_conflict)
    if nature:
        declarations = declarations.filter(nature=nature)
    if awaiting_mitigation:
        declarations = declarations.filter(~_approved_mitigation(), has_conflict=True)
    return declarations


def count_conflicts_awaiting_mitigation() -> int:
    return list_declarations(awaiting_mitigation=True).count()


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (28 February for a 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _training_within(
    records: QuerySet[TrainingRecord], *, years: int, on: dt.date | None
) -> QuerySet[TrainingRecord]:
    day = on or timezone.localdate()
    cutoff = years_before(day, years)
    return records.filter(started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=cutoff)
    )


def trained_within(
    user: Any,
    person: Any,
    *,
    years: int = DEFAULT_TRAINING_LOOKBACK_YEARS,
    on: dt.date | None = None,
) -> bool:
    """True if `user` trained `person` in a course running within `years` before `on` (R1, R15)."""
    records = TrainingRecord.objects.filter(trainer=_pk(user), person=_pk(person))
    return _training_within(records, years=years, on=on).exists()


def list_trainer_ids_for(
    person: Any, *, years: int = DEFAULT_TRAINING_LOOKBACK_YEARS, on: dt.date | None = None
) -> set[int]:
    """Users who trained `person` within the look-back window."""
    records = TrainingRecord.objects.filter(person=_pk(person))
    return set(_training_within(records, years=years, on=on).values_list("trainer_id", flat=True))


def list_training_records(
    *, trainer: Any | None = None, person: Any | None = None
) -> QuerySet[TrainingRecord]:
    records = TrainingRecord.objects.select_related("trainer", "person", "recorded_by")
    if trainer is not None:
        records = records.filter(trainer=_pk(trainer))
    if person is not None:
        records = records.filter(person=_pk(person))
    return records


def list_risks(*, status: str = "") -> QuerySet[ImpartialityRisk]:
    """The impartiality risk register (4.3), open risks and the highest rated first."""
    risks = ImpartialityRisk.objects.select_related("owner").prefetch_related("reviews")
    if status:
        risks = risks.filter(status=status)
    return risks


def list_risks_due_for_review(*, on: dt.date | None = None) -> QuerySet[ImpartialityRisk]:
    day = on or timezone.localdate()
    return list_risks().exclude(status=RiskStatus.CLOSED).filter(review_due_on__lte=day)
