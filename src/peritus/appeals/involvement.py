"""How a member of the personnel was involved with a person's certification (R22, R24, 9.8, 9.9).

Appeals are heard, and complaints handled, by people who took no part in the person's file: who
examined, marked or invigilated them, trained them, reviewed their eligibility, decided about
them (certification, accommodation, a change of their certificate's status), or declared a
conflict of interest with them. Each context turns these facts into its own refusal codes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.utils import timezone

from peritus.applications.models import Accommodation, Application
from peritus.applications.selectors import list_eligibility_reviewer_ids
from peritus.certification.models import CertificateStatusChange, CertificationDecision
from peritus.exams.selectors import list_examiner_ids_for, list_invigilator_ids_for
from peritus.impartiality.selectors import has_declared_conflict, list_trainer_ids_for


class InvolvementKind:
    IS_THE_PERSON = "is_the_person"
    EXAMINED = "examined"
    INVIGILATED = "invigilated"
    TRAINED = "trained"
    REVIEWED_ELIGIBILITY = "reviewed_eligibility"
    DECIDED = "decided"
    DECLARED_CONFLICT = "declared_conflict"


@dataclasses.dataclass(frozen=True)
class Involvement:
    kind: str
    record: str = ""  # the reference that shows it (a decision, an application), when there is one


def training_lookback_years() -> int:
    """The same look-back as the decision (R1): scheme practice, not a clause."""
    return int(getattr(settings, "PERITUS_TRAINING_LOOKBACK_YEARS", 2))


@dataclasses.dataclass(frozen=True)
class PersonFile:
    """Who took part in one person's certification file, gathered once for several checks."""

    person_user_id: int | None
    examiners: dict[int, str]
    invigilators: dict[int, str]
    reviewers: dict[int, str]
    deciders: dict[int, str]
    trainers: set[int]


def person_file(
    person: Any, *, on: dt.date | None = None, ignore_decision_ids: Collection[int] = ()
) -> PersonFile:
    """Everyone involved with `person`, each with a reference that shows how.

    `ignore_decision_ids` leaves out decisions (a new decision taken after an appeal is checked
    against the file as it stood before it).
    """
    examiners: dict[int, str] = {}
    invigilators: dict[int, str] = {}
    reviewers: dict[int, str] = {}
    deciders: dict[int, str] = {}
    for application in Application.objects.filter(person=person).order_by("pk"):
        for user_id in list_examiner_ids_for(application):
            examiners.setdefault(user_id, application.reference)
        for user_id in list_invigilator_ids_for(application):
            invigilators.setdefault(user_id, application.reference)
        for user_id in list_eligibility_reviewer_ids(application):
            reviewers.setdefault(user_id, application.reference)
    decisions = CertificationDecision.objects.filter(person=person, decided_by__isnull=False)
    for user_id, reference in decisions.exclude(pk__in=list(ignore_decision_ids)).values_list(
        "decided_by_id", "reference"
    ):
        deciders.setdefault(user_id, reference)
    for user_id, reference in Accommodation.objects.filter(
        application__person=person, decided_by__isnull=False
    ).values_list("decided_by_id", "application__reference"):
        deciders.setdefault(user_id, reference)
    for user_id, number in CertificateStatusChange.objects.filter(
        certificate__holder=person, actor__isnull=False
    ).values_list("actor_id", "certificate__number"):
        deciders.setdefault(user_id, number)
    trainers = list_trainer_ids_for(
        person, years=training_lookback_years(), on=on or timezone.localdate()
    )
    return PersonFile(
        person_user_id=getattr(person, "user_id", None),
        examiners=examiners,
        invigilators=invigilators,
        reviewers=reviewers,
        deciders=deciders,
        trainers=trainers,
    )


def involvements_with(
    user: Any, person: Any, *, on: dt.date | None = None, file: PersonFile | None = None
) -> list[Involvement]:
    """Every way `user` took part in `person`'s file; empty when they are independent of it."""
    user_id = getattr(user, "pk", user)
    file = file or person_file(person, on=on)
    found: list[Involvement] = []
    if file.person_user_id is not None and file.person_user_id == user_id:
        found.append(Involvement(InvolvementKind.IS_THE_PERSON))
    if user_id in file.examiners:
        found.append(Involvement(InvolvementKind.EXAMINED, file.examiners[user_id]))
    if user_id in file.invigilators:
        found.append(Involvement(InvolvementKind.INVIGILATED, file.invigilators[user_id]))
    if user_id in file.trainers:
        found.append(Involvement(InvolvementKind.TRAINED))
    if user_id in file.reviewers:
        found.append(Involvement(InvolvementKind.REVIEWED_ELIGIBILITY, file.reviewers[user_id]))
    if user_id in file.deciders:
        found.append(Involvement(InvolvementKind.DECIDED, file.deciders[user_id]))
    if has_declared_conflict(user_id, person):
        found.append(Involvement(InvolvementKind.DECLARED_CONFLICT))
    return found
