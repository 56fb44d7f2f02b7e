"""Appeals in tests: a person's refused decision (examined and decided by named staff), and
appeals lodged through the real services."""

from __future__ import annotations

import dataclasses
from typing import Any

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import get_person_of_user
from peritus.accounts.tests.factories import make_staff
from peritus.appeals.models import Appeal, AppealSubject
from peritus.appeals.services import (
    admit_appeal,
    assign_panel_member,
    decide_appeal,
    lodge_appeal,
)
from peritus.certification.models import CertificationDecision, DecisionOutcome
from peritus.certification.tests.factories import make_assessed_application, make_decision

GROUNDS = "The marker missed the second half of my answer to question 4; it was on the next page."


@dataclasses.dataclass(frozen=True)
class RefusedFile:
    person: Person
    decision: CertificationDecision
    examiner: User
    decision_maker: User


def refused_file(
    candidate: User,
    *,
    examiner: User | None = None,
    decision_maker: User | None = None,
    officer: User | None = None,
    **decision_fields: Any,
) -> RefusedFile:
    """`candidate` was examined by `examiner` and refused certification by `decision_maker`."""
    person = get_person_of_user(candidate)
    assert person is not None
    examiner = examiner or make_staff(RoleCode.EXAMINER)
    decision_maker = decision_maker or make_staff(RoleCode.DECISION_MAKER)
    officer = officer or make_staff(RoleCode.CERTIFICATION_OFFICER)
    application = make_assessed_application(
        officer=officer, examiner=examiner, person=person, scores=(60,)
    )
    decision = make_decision(
        application=application,
        outcome=DecisionOutcome.REFUSE,
        decided_by=decision_maker,
        **decision_fields,
    )
    return RefusedFile(person, decision, examiner, decision_maker)


def make_panel_member(**fields: Any) -> User:
    return make_staff(RoleCode.APPEALS_PANEL, **fields)


def lodged(candidate: User, decision: CertificationDecision) -> Appeal:
    return lodge_appeal(
        actor=candidate,
        subject_kind=AppealSubject.CERTIFICATION_DECISION,
        subject_key=decision.reference,
        grounds=GROUNDS,
        remedy_sought="Re-mark the paper.",
    )


def under_review(appeal: Appeal, member: User) -> Appeal:
    """Admitted by `member`, who joins the panel and declares no conflict."""
    admit_appeal(actor=member, appeal=appeal, note="A decision of the body, in time.")
    assign_panel_member(actor=member, appeal=appeal, member=member, declare_no_conflict=True)
    return Appeal.objects.get(pk=appeal.pk)


def decided(appeal: Appeal, member: User, outcome: str) -> Appeal:
    under_review(appeal, member)
    decide_appeal(
        actor=member,
        appeal=appeal,
        outcome=outcome,
        reasons="The second page of the answer was not marked; it meets the criteria.",
    )
    return Appeal.objects.get(pk=appeal.pk)
