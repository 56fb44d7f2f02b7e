from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role, make_staff
from peritus.applications.models import Application
from peritus.audit_trail.models import AuditEvent
from peritus.certification.errors import (
    CertificationError,
    CertificationInputError,
    ImpartialityError,
)
from peritus.certification.events import CertificationEvent
from peritus.certification.models import CertificationDecision, DecisionOutcome
from peritus.certification.services import decide_certification, issue_certificate
from peritus.certification.tests.factories import accept_terms, make_assessed_application
from peritus.exams.services import assign_personnel
from peritus.impartiality.services import declare_interests, record_training
from peritus.notifications.models import OutboxMessage
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db

RATIONALE = "Both prerequisites verified; the written examination passed and released."


def decide(
    application: Application, actor: User, outcome: str = DecisionOutcome.GRANT
) -> CertificationDecision:
    return decide_certification(
        application=application,
        actor=actor,
        outcome=outcome,
        rationale=RATIONALE,
        scope_items=list(application.scheme_version.scope_items.all()),
    )


def test_an_independent_decision_maker_grants_on_the_complete_file(
    assessed: Application, decision_maker: User
) -> None:
    decision = decide(assessed, decision_maker)

    assert decision.outcome == DecisionOutcome.GRANT
    assert decision.decided_by == decision_maker
    assert decision.rationale == RATIONALE
    assert {item.code for item in decision.scope_items.all()} == {"L1", "L2"}
    snapshot = decision.evidence_snapshot
    assert snapshot["application"]["reference"] == assessed.reference
    assert snapshot["assessment"]["passed"] is True
    assert snapshot["assessment"]["components"][0]["released_at"]
    assert snapshot["eligibility_reviews"][0]["outcome"] == "eligible"
    assert len(decision.evidence_digest) == 64


def test_the_decision_is_audited_with_the_rationale_as_reason(
    assessed: Application, decision_maker: User
) -> None:
    decision = decide(assessed, decision_maker)

    event = AuditEvent.objects.get(event_type=CertificationEvent.DECISION_RECORDED)
    assert (event.actor, event.reason) == (decision_maker, RATIONALE)
    assert event.actor_role == RoleCode.DECISION_MAKER
    assert event.data["outcome"] == "grant"
    assert event.data["evidence_digest"] == decision.evidence_digest


def test_a_grant_asks_the_person_to_accept_the_rules_on_certificates(
    assessed: Application, decision_maker: User
) -> None:
    decide(assessed, decision_maker)

    message = OutboxMessage.objects.get(template="certification_decision_granted")
    assert message.recipient_person == assessed.person
    assert "/portal/certificates/" in message.body


def test_a_refusal_gives_the_reasons_and_the_right_to_appeal(
    officer: User, examiner: User, decision_maker: User
) -> None:
    failed = make_assessed_application(officer=officer, examiner=examiner, scores=(40,))

    decision = decide(failed, decision_maker, DecisionOutcome.REFUSE)

    assert decision.outcome == DecisionOutcome.REFUSE
    assert not decision.scope_items.exists()
    message = OutboxMessage.objects.get(template="certification_decision_refused")
    assert RATIONALE in message.body
    assert "right to appeal" in message.body
    assert decision.reference in message.body


def test_a_pass_alone_certifies_nobody(assessed: Application) -> None:
    assert not CertificationDecision.objects.filter(application=assessed).exists()
    assert not assessed.person.certificates.exists()


# Segregation of duties (R1): one test per kind of involvement --------------------------------


def assert_refused_for(error: pytest.ExceptionInfo[ImpartialityError], code: str) -> None:
    assert error.value.code == code
    assert error.value.http_status == 403
    assert code in error.value.details["involvements"]


def test_the_examiner_of_the_candidate_is_refused(assessed: Application, examiner: User) -> None:
    grant_role(examiner, RoleCode.DECISION_MAKER)

    with pytest.raises(ImpartialityError) as error:
        decide(assessed, examiner)

    assert_refused_for(error, "decider_examined_candidate")
    assert not CertificationDecision.objects.exists()


def test_a_second_marker_of_the_candidate_is_refused(officer: User, examiner: User) -> None:
    from peritus.exams.models import ComponentResult
    from peritus.exams.services import record_second_mark, request_second_mark
    from peritus.exams.tests.factories import declare_no_conflict

    assessed = make_assessed_application(officer=officer, examiner=examiner, release=False)
    result = ComponentResult.objects.get(application=assessed)
    marker = make_staff(RoleCode.EXAMINER, RoleCode.DECISION_MAKER)
    request_second_mark(actor=officer, result=result, reason="Borderline script")
    assign_personnel(actor=officer, event=result.event, user=marker, role="examiner")
    declare_no_conflict(marker, result.event)
    record_second_mark(actor=marker, result=ComponentResult.objects.get(pk=result.pk), score=85)

    with pytest.raises(ImpartialityError) as error:
        decide(assessed, marker)

    assert_refused_for(error, "decider_examined_candidate")


def test_the_invigilator_of_the_candidate_is_refused(
    officer: User, examiner: User, invigilator: User
) -> None:
    assessed = make_assessed_application(
        officer=officer, examiner=examiner, invigilator=invigilator
    )
    grant_role(invigilator, RoleCode.DECISION_MAKER)

    with pytest.raises(ImpartialityError) as error:
        decide(assessed, invigilator)

    assert_refused_for(error, "decider_invigilated_candidate")


def test_a_decision_maker_who_trained_the_candidate_within_two_years_is_refused(
    assessed: Application, decision_maker: User
) -> None:
    record_training(
        actor=decision_maker,
        trainer=decision_maker,
        person=assessed.person,
        course="Weld inspection preparation",
        started_on=timezone.localdate() - dt.timedelta(days=400),
        ended_on=timezone.localdate() - dt.timedelta(days=390),
    )

    with pytest.raises(ImpartialityError) as error:
        decide(assessed, decision_maker)

    assert_refused_for(error, "decider_trained_candidate")


def test_training_longer_ago_than_the_look_back_window_does_not_block(
    assessed: Application, decision_maker: User
) -> None:
    record_training(
        actor=decision_maker,
        trainer=decision_maker,
        person=assessed.person,
        course="Weld inspection preparation",
        started_on=timezone.localdate() - dt.timedelta(days=1200),
        ended_on=timezone.localdate() - dt.timedelta(days=1100),
    )

    assert decide(assessed, decision_maker).outcome == DecisionOutcome.GRANT


def test_the_look_back_window_is_a_setting(
    assessed: Application, decision_maker: User, settings: object
) -> None:
    settings.PERITUS_TRAINING_LOOKBACK_YEARS = 5  # type: ignore[attr-defined]
    record_training(
        actor=decision_maker,
        trainer=decision_maker,
        person=assessed.person,
        course="Weld inspection preparation",
        started_on=timezone.localdate() - dt.timedelta(days=1200),
        ended_on=timezone.localdate() - dt.timedelta(days=1100),
    )

    with pytest.raises(ImpartialityError) as error:
        decide(assessed, decision_maker)

    assert_refused_for(error, "decider_trained_candidate")


def test_the_eligibility_reviewer_of_the_candidate_is_refused(
    officer: User, examiner: User, reviewer: User
) -> None:
    assessed = make_assessed_application(officer=officer, examiner=examiner, reviewer=reviewer)
    grant_role(reviewer, RoleCode.DECISION_MAKER)

    with pytest.raises(ImpartialityError) as error:
        decide(assessed, reviewer)

    assert_refused_for(error, "decider_reviewed_eligibility")


def test_a_decision_maker_who_declared_a_conflict_with_the_candidate_is_refused(
    assessed: Application, decision_maker: User
) -> None:
    declare_interests(
        actor=decision_maker,
        person=assessed.person,
        has_conflict=True,
        nature="employer",
        details="Worked together at the same company last year.",
    )

    with pytest.raises(ImpartialityError) as error:
        decide(assessed, decision_maker)

    assert_refused_for(error, "decider_declared_conflict")


def test_nobody_decides_on_their_own_certification(officer: User, examiner: User) -> None:
    staff_candidate = make_staff(RoleCode.DECISION_MAKER)
    person = Person.objects.create(
        user=staff_candidate, given_names="Dana", family_name="Self", email=staff_candidate.email
    )
    assessed = make_assessed_application(officer=officer, examiner=examiner, person=person)

    with pytest.raises(ImpartialityError) as error:
        decide(assessed, staff_candidate)

    assert_refused_for(error, "decider_is_candidate")


def test_every_involvement_is_named_and_the_refusal_is_audited(
    officer: User, examiner: User, reviewer: User
) -> None:
    assessed = make_assessed_application(officer=officer, examiner=examiner, reviewer=examiner)
    grant_role(examiner, RoleCode.DECISION_MAKER)

    with pytest.raises(ImpartialityError) as error:
        decide(assessed, examiner)

    assert set(error.value.details["involvements"]) == {
        "decider_examined_candidate",
        "decider_reviewed_eligibility",
    }
    refusal = AuditEvent.objects.get(event_type="impartiality.refusal.recorded")
    assert refusal.actor == examiner
    assert refusal.data == {"action": "decide_certification", "code": error.value.code}


# The file must be complete (R4) --------------------------------------------------------------


def test_a_grant_on_unreleased_results_is_refused_as_incomplete(
    officer: User, examiner: User, decision_maker: User
) -> None:
    pending = make_assessed_application(officer=officer, examiner=examiner, release=False)

    with pytest.raises(CertificationError) as error:
        decide(pending, decision_maker)

    assert error.value.code == "incomplete_file"
    assert error.value.details["missing"] == ["results_not_released"]


def test_a_grant_before_every_component_has_a_result_is_refused_as_incomplete(
    officer: User, examiner: User, decision_maker: User
) -> None:
    version = make_published_version(components=2)
    partial = make_assessed_application(
        officer=officer, examiner=examiner, version=version, scores=(85,)
    )

    with pytest.raises(CertificationError) as error:
        decide(partial, decision_maker)

    assert error.value.code == "incomplete_file"
    assert "assessment_incomplete" in error.value.details["missing"]


def test_a_failed_assessment_cannot_be_granted(
    officer: User, examiner: User, decision_maker: User
) -> None:
    failed = make_assessed_application(officer=officer, examiner=examiner, scores=(40,))

    with pytest.raises(CertificationError) as error:
        decide(failed, decision_maker)

    assert error.value.code == "incomplete_file"
    assert error.value.details["missing"] == ["assessment_not_passed"]


def test_an_application_without_verified_prerequisites_is_refused_as_incomplete(
    assessed: Application, decision_maker: User
) -> None:
    assessed.eligibility_reviews.update(outcome="not_eligible")

    with pytest.raises(CertificationError) as error:
        decide(assessed, decision_maker)

    assert error.value.details["missing"] == ["prerequisites_not_verified"]


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("attestation_signed_at", "attestation_not_signed"),
        ("code_of_conduct_accepted_at", "code_of_conduct_not_accepted"),
    ],
)
def test_an_unsigned_attestation_or_code_of_conduct_makes_the_file_incomplete(
    assessed: Application, decision_maker: User, field: str, code: str
) -> None:
    Application.objects.filter(pk=assessed.pk).update(**{field: None})

    with pytest.raises(CertificationError) as error:
        decide(Application.objects.get(pk=assessed.pk), decision_maker)

    assert error.value.code == "incomplete_file"
    assert error.value.details["missing"] == [code]


def test_a_refusal_waits_until_the_assessment_is_concluded(
    officer: User, examiner: User, decision_maker: User
) -> None:
    pending = make_assessed_application(
        officer=officer, examiner=examiner, scores=(40,), release=False
    )

    with pytest.raises(CertificationError) as error:
        decide(pending, decision_maker, DecisionOutcome.REFUSE)

    assert error.value.details["missing"] == ["results_not_released"]


# Form and authority ----------------------------------------------------------------------------


def test_a_decision_needs_reasons(assessed: Application, decision_maker: User) -> None:
    with pytest.raises(CertificationInputError) as error:
        decide_certification(
            application=assessed,
            actor=decision_maker,
            outcome=DecisionOutcome.GRANT,
            rationale="   ",
            scope_items=list(assessed.scheme_version.scope_items.all()),
        )

    assert error.value.code == "rationale_required"


def test_a_grant_names_its_scope(assessed: Application, decision_maker: User) -> None:
    with pytest.raises(CertificationInputError) as error:
        decide_certification(
            application=assessed,
            actor=decision_maker,
            outcome=DecisionOutcome.GRANT,
            rationale=RATIONALE,
            scope_items=[],
        )

    assert error.value.code == "scope_required"


def test_a_grant_covers_only_scope_applied_for(assessed: Application, decision_maker: User) -> None:
    level_1, level_2 = assessed.scheme_version.scope_items.order_by("code")
    assessed.requested_scope.set([level_1])

    with pytest.raises(CertificationInputError) as error:
        decide_certification(
            application=assessed,
            actor=decision_maker,
            outcome=DecisionOutcome.GRANT,
            rationale=RATIONALE,
            scope_items=[level_1, level_2],
        )

    assert error.value.code == "scope_not_requested"


def test_an_unknown_outcome_is_refused(assessed: Application, decision_maker: User) -> None:
    with pytest.raises(CertificationInputError) as error:
        decide(assessed, decision_maker, "maybe")

    assert error.value.code == "invalid_outcome"


def test_only_a_decision_maker_for_the_scheme_decides(assessed: Application, officer: User) -> None:
    other_scheme = make_published_version().scheme
    elsewhere = make_staff(RoleCode.DECISION_MAKER, scheme=other_scheme)

    for actor in (officer, elsewhere):
        with pytest.raises(RoleNotHeldError) as error:
            decide(assessed, actor)
        assert error.value.code == "role_not_held"


def test_certification_is_granted_once_per_application(
    assessed: Application, decision_maker: User
) -> None:
    decide(assessed, decision_maker)

    with pytest.raises(CertificationError) as error:
        decide(assessed, make_staff(RoleCode.DECISION_MAKER))

    assert error.value.code == "already_decided"


def test_the_whole_chain_from_decision_to_certificate(
    assessed: Application, decision_maker: User, officer: User
) -> None:
    decision = decide(assessed, decision_maker)
    accept_terms(assessed.person, assessed)

    certificate = issue_certificate(decision=decision, actor=officer)

    assert certificate.decision == decision
    assert certificate.holder == assessed.person
