from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import RoleAssignment, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import forget_cached_roles
from peritus.accounts.tests.factories import make_staff
from peritus.applications.models import Application
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError, ImpartialityError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import (
    AssessmentEvent,
    ComponentResult,
    EventCandidate,
    ResultStatus,
)
from peritus.exams.services import (
    CandidateDeclaration,
    add_candidate,
    assign_personnel,
    declare_event_interests,
    record_event_held,
    record_first_mark,
)
from peritus.exams.tests.factories import (
    make_candidate_application,
    make_event,
    mark,
    ready_to_mark,
)
from peritus.impartiality.events import ImpartialityEvent
from peritus.impartiality.models import ConflictDeclaration
from peritus.impartiality.services import (
    approve_mitigation,
    propose_mitigation,
    record_training,
)
from peritus.schemes.models import AssessmentComponent, SchemeVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> EventCandidate:
    """Examiner assigned, candidate booked, sitting held — but nothing declared yet."""
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    entry = add_candidate(actor=officer, event=event, application=application)
    record_event_held(actor=officer, event=event)
    return EventCandidate.objects.get(pk=entry.pk)


def declare(examiner: User, entry: EventCandidate, **kwargs: object) -> ConflictDeclaration:
    (declaration,) = declare_event_interests(
        actor=examiner, event=entry.event,
        declarations=[CandidateDeclaration(entry, **kwargs)],  # type: ignore[arg-type]
    )  # fmt: skip
    return declaration  # type: ignore[no-any-return]


def test_an_examiner_who_declared_no_conflict_records_a_pass(
    examiner: User, entry: EventCandidate
) -> None:
    declare(examiner, entry, has_conflict=False)

    result = record_first_mark(
        actor=examiner, entry=entry, score="82.5", rubric_notes="All criteria met",
        feedback="Well-structured inspection report.",
    )  # fmt: skip

    assert result.status == ResultStatus.FINAL
    assert (result.score, result.passed) == (Decimal("82.50"), True)
    assert result.first_marker == examiner
    audit = AuditEvent.objects.get(event_type=ExamsEvent.FIRST_MARK_RECORDED)
    assert audit.actor_id == examiner.pk
    # Scores stay out of the audit payload (personal data), in any field.
    assert not re.search(r"(?<![\w.])82(\.50?)?(?![\w.])", audit.payload)


def test_an_examiner_whose_approval_no_longer_covers_the_language_is_refused(
    examiner: User, entry: EventCandidate
) -> None:
    declare(examiner, entry, has_conflict=False)
    RoleAssignment.objects.filter(user=examiner).update(languages=["de"])
    forget_cached_roles(examiner)

    with pytest.raises(RoleNotHeldError) as error:
        record_first_mark(actor=examiner, entry=entry, score=80)

    assert error.value.code == "not_approved_for_language"
    assert not ComponentResult.objects.exists()


def test_a_score_below_the_pass_mark_fails(examiner: User, entry: EventCandidate) -> None:
    declare(examiner, entry, has_conflict=False)

    result = record_first_mark(actor=examiner, entry=entry, score=69)

    assert result.passed is False


def test_an_examiner_without_a_declaration_is_refused(
    examiner: User, entry: EventCandidate
) -> None:
    with pytest.raises(ImpartialityError) as error:
        record_first_mark(actor=examiner, entry=entry, score=80)

    assert error.value.code == "declaration_required"
    assert not ComponentResult.objects.exists()
    refusal = AuditEvent.objects.get(event_type=ImpartialityEvent.ACTION_REFUSED)
    assert refusal.data == {"action": "record_first_mark", "code": "declaration_required"}
    assert refusal.actor_id == examiner.pk


def test_the_declaration_covers_every_candidate_of_the_event(
    officer: User,
    examiner: User,
    component: AssessmentComponent,
    application: Application,
    version: SchemeVersion,
) -> None:
    event = make_event(officer, component)
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    first = add_candidate(actor=officer, event=event, application=application)
    add_candidate(actor=officer, event=event, application=make_candidate_application(version))
    record_event_held(actor=officer, event=event)
    declare(examiner, first, has_conflict=False)

    with pytest.raises(ImpartialityError) as error:
        record_first_mark(actor=examiner, entry=first, score=80)

    assert error.value.code == "declaration_required"


def test_a_declared_conflict_removes_the_examiner_from_that_candidate(
    officer: User,
    examiner: User,
    component: AssessmentComponent,
    application: Application,
    version: SchemeVersion,
) -> None:
    event = make_event(officer, component)
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    conflicted = add_candidate(actor=officer, event=event, application=application)
    other = add_candidate(
        actor=officer, event=event, application=make_candidate_application(version)
    )
    record_event_held(actor=officer, event=event)
    declare_event_interests(
        actor=examiner, event=event,
        declarations=[
            CandidateDeclaration(conflicted, has_conflict=True, nature="employer", details="Boss"),
            CandidateDeclaration(other, has_conflict=False),
        ],
    )  # fmt: skip

    with pytest.raises(ImpartialityError) as error:
        record_first_mark(actor=examiner, entry=conflicted, score=80)
    result = record_first_mark(actor=examiner, entry=other, score=80)

    assert error.value.code == "conflict_of_interest"
    assert result.entry == other


def test_a_mitigation_approved_by_another_person_lets_the_examiner_mark_with_a_second_marker(
    examiner: User, entry: EventCandidate, quality_manager: User
) -> None:
    declaration = declare(examiner, entry, has_conflict=True, nature="colleague", details="Team")
    mitigation = propose_mitigation(
        actor=examiner, declaration=declaration, kind="second_examiner",
        description="An independent examiner marks as well.",
    )  # fmt: skip
    approve_mitigation(actor=quality_manager, mitigation=mitigation)

    result = record_first_mark(actor=examiner, entry=entry, score=75)

    assert result.status == ResultStatus.AWAITING_SECOND_MARK
    assert result.second_marking_required is True
    assert result.score is None


def test_a_proposed_but_unapproved_mitigation_keeps_the_examiner_out(
    examiner: User, entry: EventCandidate
) -> None:
    declaration = declare(examiner, entry, has_conflict=True, nature="relative", details="Cousin")
    propose_mitigation(
        actor=examiner, declaration=declaration, kind="recorded_session", description="Recorded"
    )

    with pytest.raises(ImpartialityError) as error:
        record_first_mark(actor=examiner, entry=entry, score=75)

    assert error.value.code == "conflict_of_interest"


def test_a_conflict_declared_before_the_event_also_removes_the_examiner(
    examiner: User, entry: EventCandidate
) -> None:
    from peritus.impartiality.services import declare_interests

    declare_interests(
        actor=examiner, person=entry.application.person, has_conflict=True, nature="employer",
        details="Employer until last year",
    )  # fmt: skip

    with pytest.raises(DomainError) as refused:
        declare(examiner, entry, has_conflict=False)
    declare(examiner, entry, has_conflict=True, nature="employer", details="Former employer")
    with pytest.raises(ImpartialityError) as error:
        record_first_mark(actor=examiner, entry=entry, score=75)

    assert refused.value.code == "conflict_already_declared"
    assert error.value.code == "conflict_of_interest"


def test_an_invigilator_cannot_score(
    officer: User, invigilator: User, component: AssessmentComponent, application: Application
) -> None:
    from peritus.accounts.tests.factories import grant_role

    grant_role(invigilator, RoleCode.EXAMINER)  # even one who is an examiner elsewhere
    event = make_event(officer, component)
    assign_personnel(actor=officer, event=event, user=invigilator, role="invigilator")
    entry = add_candidate(actor=officer, event=event, application=application)
    declare_event_interests(
        actor=invigilator, event=event, declarations=[CandidateDeclaration(entry, False)]
    )
    record_event_held(actor=invigilator, event=event)

    with pytest.raises(ImpartialityError) as error:
        record_first_mark(actor=invigilator, entry=entry, score=75)

    assert error.value.code == "invigilator_cannot_score"
    assert not ComponentResult.objects.exists()


def test_an_examiner_not_assigned_to_the_event_cannot_mark(entry: EventCandidate) -> None:
    stranger = make_staff(RoleCode.EXAMINER)

    with pytest.raises(DomainError) as error:
        record_first_mark(actor=stranger, entry=entry, score=75)

    assert error.value.code == "not_assigned"


def test_an_examiner_whose_role_lapsed_cannot_mark(examiner: User, entry: EventCandidate) -> None:
    from peritus.accounts.models import RoleAssignment
    from peritus.accounts.selectors import forget_cached_roles

    declare(examiner, entry, has_conflict=False)
    RoleAssignment.objects.filter(user=examiner).update(revoked_at=timezone.now())
    forget_cached_roles(examiner)

    with pytest.raises(DomainError) as error:
        record_first_mark(actor=examiner, entry=entry, score=75)

    assert error.value.code == "role_not_held"


def test_a_trainer_recorded_after_the_declaration_is_still_kept_out(
    examiner: User, entry: EventCandidate, quality_manager: User
) -> None:
    declare(examiner, entry, has_conflict=False)
    record_training(
        actor=quality_manager, trainer=examiner, person=entry.application.person,
        course="Exam preparation", started_on=timezone.localdate() - dt.timedelta(days=30),
    )  # fmt: skip

    with pytest.raises(ImpartialityError) as error:
        record_first_mark(actor=examiner, entry=entry, score=75)

    assert error.value.code == "trained_candidate"


def test_results_wait_until_the_sitting_is_held(
    officer: User, examiner: User, component: AssessmentComponent, application: Application
) -> None:
    event = make_event(officer, component)
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    entry = add_candidate(actor=officer, event=event, application=application)
    declare(examiner, entry, has_conflict=False)

    with pytest.raises(DomainError) as error:
        record_first_mark(actor=examiner, entry=entry, score=75)

    assert error.value.code == "event_not_held"


def test_an_absent_candidate_gets_no_result(
    officer: User, examiner: User, component: AssessmentComponent, application: Application
) -> None:
    event = make_event(officer, component)
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    entry = add_candidate(actor=officer, event=event, application=application)
    record_event_held(actor=officer, event=event, absent=[entry])
    declare(examiner, entry, has_conflict=False)

    with pytest.raises(DomainError) as error:
        record_first_mark(actor=examiner, entry=EventCandidate.objects.get(pk=entry.pk), score=75)

    assert error.value.code == "candidate_absent"


def test_a_result_is_recorded_once(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    mark(examiner, entry, 75)

    with pytest.raises(DomainError) as error:
        mark(examiner, entry, 80)

    assert error.value.code == "already_marked"


@pytest.mark.parametrize(
    ("score", "code"),
    [("101", "score_out_of_range"), ("-1", "score_out_of_range"), ("7.125", "score_not_a_number"),
     ("abc", "score_not_a_number"), ("NaN", "score_not_a_number")],
)  # fmt: skip
def test_a_score_outside_the_scale_is_refused(
    officer: User,
    examiner: User,
    event: AssessmentEvent,
    application: Application,
    score: str,
    code: str,
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)

    with pytest.raises(DomainError) as error:
        record_first_mark(actor=examiner, entry=entry, score=score)

    assert error.value.code == code


def test_an_event_marked_twice_waits_for_the_second_examiner(
    officer: User, examiner: User, component: AssessmentComponent, application: Application
) -> None:
    event = make_event(officer, component, double_marking=True)
    (entry,) = ready_to_mark(officer, examiner, event, application)

    result = mark(examiner, entry, 75)

    assert result.status == ResultStatus.AWAITING_SECOND_MARK
