"""A person who appealed, then had their certificate suspended: built through the real services."""

from __future__ import annotations

import dataclasses
import datetime as dt

import time_machine
from django.utils import timezone

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import get_person_of_user
from peritus.accounts.tests.factories import make_staff
from peritus.appeals.models import Appeal
from peritus.appeals.tests.factories import lodged, refused_file
from peritus.certification.models import Certificate, DecisionOutcome, LifecycleDecision
from peritus.certification.services import suspend_certificate
from peritus.certification.tests.factories import make_certificate, make_decision
from peritus.complaints.tests.factories import submitted
from peritus.compliance.models import RetaliationFlag
from peritus.compliance.services import flag_possible_retaliation


@dataclasses.dataclass(frozen=True)
class Case:
    person: Person
    appeal: Appeal
    suspension: LifecycleDecision
    suspended_by: User


def appealed_then_suspended(candidate: User, *, days_between: int) -> Case:
    """`candidate` appealed a refusal `days_between` days ago; their certificate is suspended now."""
    with time_machine.travel(timezone.now() - dt.timedelta(days=days_between), tick=False):
        file = refused_file(candidate)
        appeal = lodged(candidate, file.decision)
    certificate = make_certificate(person=file.person)
    decider = make_staff(RoleCode.DECISION_MAKER)
    suspend_certificate(
        certificate=certificate,
        actor=decider,
        reason="The holder did not report the required continuing development.",
        conditions="Report 20 hours of continuing development.",
        deadline=timezone.localdate() + dt.timedelta(days=60),
    )
    suspension = LifecycleDecision.objects.get(
        certificate=Certificate.objects.get(pk=certificate.pk)
    )
    return Case(file.person, appeal, suspension, decider)


def complained_then_refused(candidate: User) -> RetaliationFlag:
    """`candidate` complained 10 days ago and was refused certification today; the job ran."""
    person = get_person_of_user(candidate)
    assert person is not None
    with time_machine.travel(timezone.now() - dt.timedelta(days=10), tick=False):
        submitted(user=candidate, email=candidate.email)
    make_decision(
        outcome=DecisionOutcome.REFUSE,
        person=person,
        decided_by=make_staff(RoleCode.DECISION_MAKER),
    )
    flag_possible_retaliation(now=timezone.now())
    return RetaliationFlag.objects.get(person=person)
