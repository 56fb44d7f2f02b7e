"""Key validation before release (R18): flagged items decided, everyone re-scored (audited), then
the results go to the candidates and into the assessment record the decision reads."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.exams.delivery import autosave, release, sessions
from peritus.exams.delivery.handover import hand_over_pending
from peritus.exams.errors import ExamsError, ExamsInputError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import (
    Attempt,
    AttemptStatus,
    ComponentResult,
    ExamSession,
    KeyDecisionChoice,
    KeyFinding,
    KeyReview,
    ResultStatus,
    SessionStatus,
)
from peritus.exams.selectors import get_assessment_outcome, list_examiner_ids_for
from peritus.exams.tests.delivery_factories import (
    OBJECTIVE,
    RIGHT,
    WRONG,
    OnlineExam,
    answer,
    application_of,
    make_online_exam,
    make_session,
    seated,
)
from peritus.itembank.errors import ItemAccessError
from peritus.itembank.statistics.models import CandidateResponse, FormAdministration
from peritus.itembank.statistics.selectors import get_form_pass_mark
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
MISKEYED = "single"  # keyed B; the strongest candidates choose A


@pytest.fixture
def exam() -> OnlineExam:
    return make_online_exam(names=OBJECTIVE)


def sit_and_end(
    exam: OnlineExam, count: int = 16
) -> tuple[ExamSession, list[tuple[User, Attempt]]]:
    """`count` candidates of rising ability answer; the session ends and is scored."""
    rng = random.Random(17024)
    session = make_session(exam)
    pairs = seated(exam, session, count)
    for index, (user, attempt) in enumerate(pairs):
        ability = (index + 0.5) / count
        for name in OBJECTIVE:
            if name == MISKEYED:
                fields = {"response": ["A"]} if ability > 0.5 else {"response": [rng.choice("BCD")]}
            else:
                fields = RIGHT[name] if rng.random() < ability else WRONG[name]
            answer(attempt, user, exam.entries[name], fields)
        autosave.submit_attempt(actor=user, attempt=attempt)
    sessions.end_session(actor=exam.invigilator, session=session)
    return ExamSession.objects.get(pk=session.pk), pairs


def finding_for(exam: OnlineExam, session: ExamSession, review: KeyReview, name: str) -> KeyFinding:
    """The item's finding: the analysis' own, or one the psychometrician adds."""
    entry = exam.entries[name]
    return KeyFinding.objects.filter(review=review, form_entry=entry).first() or (
        release.add_key_finding(
            actor=exam.psychometrician, session=session, entry_id=entry.pk, reason="Reported."
        )
    )


def test_the_analysis_flags_the_item_whose_distractor_outperforms_the_key(exam: OnlineExam) -> None:
    session, _pairs = sit_and_end(exam)

    review = release.analyse_session_keys(actor=exam.psychometrician, session=session)

    finding = KeyFinding.objects.get(review=review, form_entry=exam.entries[MISKEYED])
    codes = {flag["code"] for flag in finding.flags}
    assert codes & {"possible_miskey", "negative_discrimination", "distractor_attracts_strong"}
    options = {o["option_id"]: o for o in finding.statistics["options"]}
    assert options["A"]["upper"] > options["B"]["upper"]
    assert review.n_candidates == 16


def test_re_keying_re_scores_every_candidate_and_audits_each_change(exam: OnlineExam) -> None:
    session, pairs = sit_and_end(exam)
    review = release.analyse_session_keys(actor=exam.psychometrician, session=session)
    before = {a.pk: Attempt.objects.get(pk=a.pk).raw_score for _u, a in pairs}
    for finding in review.findings.all():
        if finding.form_entry_id == exam.entries[MISKEYED].pk:
            release.decide_key(
                actor=exam.psychometrician, finding=finding, decision=KeyDecisionChoice.REKEY,
                new_key=["A"], reason="Option A is also correct under the 2025 guidance.",
            )  # fmt: skip
        else:
            release.decide_key(
                actor=exam.psychometrician, finding=finding, decision=KeyDecisionChoice.ACCEPT
            )

    release.complete_key_validation(actor=exam.psychometrician, session=session)

    after = {a.pk: Attempt.objects.get(pk=a.pk).raw_score for _u, a in pairs}
    strong = [a.pk for index, (_u, a) in enumerate(pairs) if (index + 0.5) / 16 > 0.5]
    assert all(after[pk] == before[pk] + 1 for pk in strong)  # type: ignore[operator]
    rescored = AuditEvent.objects.filter(event_type=ExamsEvent.ATTEMPT_RESCORED)
    assert rescored.count() >= len(strong)
    assert ExamSession.objects.get(pk=session.pk).status == SessionStatus.VALIDATED


def test_credit_all_and_drop_change_the_scores_as_decided(exam: OnlineExam) -> None:
    session, pairs = sit_and_end(exam, count=4)
    review = release.analyse_session_keys(actor=exam.psychometrician, session=session)
    credit = finding_for(exam, session, review, "numeric")
    drop = finding_for(exam, session, review, "order")
    release.decide_key(
        actor=exam.psychometrician, finding=credit, decision="credit_all", reason="Ambiguous unit."
    )
    release.decide_key(
        actor=exam.psychometrician, finding=drop, decision="drop", reason="Cued in the stem."
    )
    for finding in KeyFinding.objects.filter(decision=""):
        release.decide_key(actor=exam.psychometrician, finding=finding, decision="accept")

    release.complete_key_validation(actor=exam.psychometrician, session=session)

    for _u, attempt in pairs:
        scored = Attempt.objects.get(pk=attempt.pk)
        assert Decimal(scored.item_scores[str(exam.entries["numeric"].pk)]) == 1
        assert scored.max_score == exam.form.total_points - exam.entries["order"].points


def test_a_re_key_must_name_options_of_the_item_and_differ_from_the_key(exam: OnlineExam) -> None:
    session, _pairs = sit_and_end(exam, count=3)
    review = release.analyse_session_keys(actor=exam.psychometrician, session=session)
    finding = finding_for(exam, session, review, "single")

    with pytest.raises(ExamsInputError) as unknown:
        release.decide_key(
            actor=exam.psychometrician, finding=finding, decision="rekey", new_key=["Z"], reason="x"
        )
    with pytest.raises(ExamsInputError) as same:
        release.decide_key(
            actor=exam.psychometrician, finding=finding, decision="rekey", new_key=["B"], reason="x"
        )
    with pytest.raises(ExamsInputError) as no_reason:
        release.decide_key(actor=exam.psychometrician, finding=finding, decision="drop")

    assert (unknown.value.code, same.value.code, no_reason.value.code) == (
        "invalid_key", "same_key", "reason_required",
    )  # fmt: skip


def test_no_result_is_released_before_key_validation(exam: OnlineExam) -> None:
    session, _pairs = sit_and_end(exam, count=2)

    with pytest.raises(ExamsError) as error:
        release.release_session_results(actor=exam.officer, session=session)

    assert error.value.code == "keys_not_validated"
    assert not ComponentResult.objects.exists()


def test_validation_completes_only_when_every_flagged_item_is_decided(exam: OnlineExam) -> None:
    session, _pairs = sit_and_end(exam)
    release.analyse_session_keys(actor=exam.psychometrician, session=session)

    with pytest.raises(ExamsError) as error:
        release.complete_key_validation(actor=exam.psychometrician, session=session)

    assert error.value.code == "decisions_missing"


def test_released_results_feed_the_decision_with_feedback_per_domain(exam: OnlineExam) -> None:
    session, pairs = sit_and_end(exam, count=3)
    release.analyse_session_keys(actor=exam.psychometrician, session=session)
    for finding in KeyFinding.objects.all():
        release.decide_key(actor=exam.psychometrician, finding=finding, decision="accept")
    release.complete_key_validation(actor=exam.psychometrician, session=session)

    results = release.release_session_results(
        actor=exam.officer, session=ExamSession.objects.get(pk=session.pk)
    )

    user, attempt = pairs[-1]
    result = ComponentResult.objects.get(entry_id=attempt.entry_id)
    assert len(results) == 3
    assert result.status == ResultStatus.RELEASED
    assert "D1 Identity and access" in result.feedback
    scored = Attempt.objects.get(pk=attempt.pk)
    assert scored.status == AttemptStatus.RELEASED
    cut = get_form_pass_mark(exam.form)
    assert cut is not None
    assert scored.raw_score is not None
    assert result.passed is (scored.raw_score >= cut)
    outcome = get_assessment_outcome(application_of(user, exam))
    line = next(line for line in outcome.lines if line.component == exam.component)
    assert line.result == result
    assert line.released
    assert exam.psychometrician.pk in list_examiner_ids_for(application_of(user, exam))
    assert OutboxMessage.objects.filter(template="exams_session_result_released").count() == 3


def test_the_scores_on_the_component_scale_pass_exactly_at_the_cut(exam: OnlineExam) -> None:
    session, pairs = sit_and_end(exam, count=6)
    release.analyse_session_keys(actor=exam.psychometrician, session=session)
    for finding in KeyFinding.objects.all():
        release.decide_key(actor=exam.psychometrician, finding=finding, decision="accept")
    release.complete_key_validation(actor=exam.psychometrician, session=session)
    release.release_session_results(
        actor=exam.officer, session=ExamSession.objects.get(pk=session.pk)
    )

    for _u, attempt in pairs:
        result = ComponentResult.objects.get(entry_id=attempt.entry_id)
        assert (result.score is not None and result.score >= Decimal(60)) is result.passed


def test_only_a_psychometrician_outside_the_information_barrier_validates_keys(
    exam: OnlineExam,
) -> None:
    session, _pairs = sit_and_end(exam, count=2)

    from peritus.accounts.errors import RoleNotHeldError

    with pytest.raises(RoleNotHeldError):
        release.analyse_session_keys(actor=exam.officer, session=session)
    with pytest.raises((RoleNotHeldError, ItemAccessError)):
        release.analyse_session_keys(actor=exam.invigilator, session=session)
    assert not KeyReview.objects.exists()


def test_the_item_level_responses_go_to_the_item_statistics_once(
    exam: OnlineExam, django_capture_on_commit_callbacks: Any
) -> None:
    session, pairs = sit_and_end(exam, count=3)
    release.analyse_session_keys(actor=exam.psychometrician, session=session)
    for finding in KeyFinding.objects.all():
        release.decide_key(actor=exam.psychometrician, finding=finding, decision="accept")
    release.complete_key_validation(actor=exam.psychometrician, session=session)

    with django_capture_on_commit_callbacks(execute=True):
        release.release_session_results(
            actor=exam.officer, session=ExamSession.objects.get(pk=session.pk)
        )

    administration = FormAdministration.objects.get(form=exam.form)
    assert administration.source == "online"
    assert administration.candidate_count == 3
    codes = set(
        CandidateResponse.objects.filter(administration=administration).values_list(
            "candidate_code", flat=True
        )
    )
    assert codes == {attempt.reference for _u, attempt in pairs}
    assert ExamSession.objects.get(pk=session.pk).responses_recorded_at is not None
    assert hand_over_pending(now=timezone.now()) == 0
    assert FormAdministration.objects.filter(form=exam.form).count() == 1
