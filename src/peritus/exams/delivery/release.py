"""Key validation and the release of a session's results (R18, 9.3, 9.4).

After the session the psychometrics engine flags items whose key it calls into question; the
psychometrician accepts, re-keys, credits everyone or drops each one; completing the review
re-scores every candidate (each change audited). Only then may a certification officer release:
each result becomes the exam component's `ComponentResult` (released, with feedback per domain),
so the decision sees it through `selectors.get_assessment_outcome`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.exams.delivery import scoring
from peritus.exams.delivery.form_content import cut_score_of, delivered_form
from peritus.exams.delivery.grading import current_answers, effective_cut, score_session
from peritus.exams.delivery.handover import hand_over_after_commit
from peritus.exams.delivery.key_validation import AnalysedItem, analyse_keys
from peritus.exams.delivery.sessions import lock_session
from peritus.exams.errors import ExamsError, ExamsInputError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import (
    SAT_ATTEMPT_STATUSES,
    Attempt,
    AttemptStatus,
    ComponentResult,
    ExamSession,
    KeyDecisionChoice,
    KeyFinding,
    KeyReview,
    KeyReviewStatus,
    ResultStatus,
    SessionStatus,
)
from peritus.itembank.qti.content import ContentError, ScoringMethod, validate_content
from peritus.itembank.services.items import require_item_role
from peritus.notifications.services import queue_notification
from peritus.psychometrics import FlagThresholds


def require_psychometrician(actor: Any, session: ExamSession) -> None:
    """The psychometrician of the scheme, outside the information barrier (R15)."""
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, session.form.blueprint.bank)
    if actor is None:
        raise ExamsError("actor_required", _("Key validation is a person's decision."))


def _thresholds() -> FlagThresholds:
    return FlagThresholds.from_mapping(getattr(settings, "PERITUS_EXAMS_KEY_FLAGS", {}))


def _sat(session: ExamSession) -> list[Attempt]:
    return list(
        Attempt.objects.filter(session=session, status__in=SAT_ATTEMPT_STATUSES).order_by("pk")
    )


@transaction.atomic(durable=True)
def analyse_session_keys(
    *, actor: User, session: ExamSession, now: dt.datetime | None = None
) -> KeyReview:
    """Run the item analysis on the session's responses and list the items whose key is in doubt."""
    session = lock_session(session)
    require_psychometrician(actor, session)
    if session.status != SessionStatus.ENDED:
        raise ExamsError("session_not_ended", _("Keys are validated once the session has ended."))
    if KeyReview.objects.filter(session=session).exists():
        raise ExamsError("already_analysed", _("The keys of this session were already analysed."))
    form = delivered_form(session.form)
    items = [AnalysedItem(i.entry_id, i.label, i.content) for i in form.items if not i.is_rubric]
    attempts = _sat(session)
    answers = current_answers([attempt.pk for attempt in attempts])
    responses = {
        attempt.reference: {entry: answer.response for entry, answer in answers[attempt.pk].items()}
        for attempt in attempts
    }
    thresholds = _thresholds()
    analysis = analyse_keys(items, responses, thresholds=thresholds)
    now = now or timezone.now()
    review = KeyReview.objects.create(
        session=session, analysed_by=actor, analysed_at=now, n_candidates=analysis.n_candidates,
        alpha=analysis.alpha, notes=list(analysis.notes), thresholds=thresholds.to_dict(),
        item_statistics=[
            {"entry_id": f.entry_id, "label": f.label, "p": f.p_value, "item_rest": f.item_rest,
             "flags": [code for code, _message in f.flags]}
            for f in analysis.items
        ],
    )  # fmt: skip
    for finding in analysis.flagged:
        KeyFinding.objects.create(
            review=review, form_entry_id=finding.entry_id, label=finding.label,
            flags=[{"code": code, "message": message} for code, message in finding.flags],
            statistics={
                "p": finding.p_value, "item_rest": finding.item_rest,
                "options": [dataclasses.asdict(option) for option in finding.options],
            },
        )  # fmt: skip
    record_event(
        ExamsEvent.KEYS_ANALYSED, actor=actor, subject=review, related=[session],
        actor_role=RoleCode.PSYCHOMETRICIAN,
        data={"n": analysis.n_candidates, "flagged": len(analysis.flagged), "alpha": analysis.alpha},
    )  # fmt: skip
    return review


def _lock_review(session: ExamSession) -> KeyReview:
    review = KeyReview.objects.select_for_update().filter(session=session).first()
    if review is None:
        raise ExamsError("not_analysed", _("Analyse the keys first."))
    return review


@transaction.atomic(durable=True)
def add_key_finding(*, actor: User, session: ExamSession, entry_id: int, reason: str) -> KeyFinding:
    """Put an item the analysis did not flag under review (a candidate's comment, an expert's doubt)."""
    session = lock_session(session)
    require_psychometrician(actor, session)
    review = _lock_review(session)
    if review.status != KeyReviewStatus.OPEN:
        raise ExamsError("review_completed", _("The key review is completed."))
    item = delivered_form(session.form).by_entry.get(entry_id)
    if item is None or item.is_rubric:
        raise ExamsInputError("unknown_item", _("Choose an objective item of the form."))
    if not reason.strip():
        raise ExamsInputError("reason_required", _("Say why the item is reviewed."))
    if KeyFinding.objects.filter(review=review, form_entry_id=entry_id).exists():
        raise ExamsError("already_under_review", _("This item is already under review."))
    stats: dict[str, Any] = next(
        (s for s in review.item_statistics if s.get("entry_id") == entry_id), {}
    )
    finding = KeyFinding.objects.create(
        review=review, form_entry_id=entry_id, label=item.label, raised_by_analysis=False,
        flags=[{"code": "raised_by_psychometrician", "message": reason.strip()}],
        statistics={"p": stats.get("p"), "item_rest": stats.get("item_rest"), "options": []},
    )  # fmt: skip
    record_event(
        ExamsEvent.KEY_FINDING_ADDED, actor=actor, subject=finding, related=[review],
        reason=reason.strip(), actor_role=RoleCode.PSYCHOMETRICIAN,
    )  # fmt: skip
    return finding


@transaction.atomic(durable=True)
def decide_key(
    *,
    actor: User,
    finding: KeyFinding,
    decision: str,
    reason: str = "",
    new_key: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> KeyFinding:
    """Accept the key, re-key the item, credit every candidate, or drop the item (with reasons)."""
    now = now or timezone.now()
    finding = (
        KeyFinding.objects.select_for_update(of=("self",))
        .select_related("review")
        .get(pk=finding.pk)
    )
    session = lock_session(finding.review.session)
    require_psychometrician(actor, session)
    if finding.review.status != KeyReviewStatus.OPEN:
        raise ExamsError("review_completed", _("The key review is completed."))
    if decision not in KeyDecisionChoice.values:
        raise ExamsInputError("unknown_decision", _("Choose a decision."))
    if decision != KeyDecisionChoice.ACCEPT and not reason.strip():
        raise ExamsInputError("reason_required", _("Give the reason for changing the scoring."))
    key: list[str] = []
    if decision == KeyDecisionChoice.REKEY:
        content = delivered_form(session.form).by_entry[finding.form_entry_id].content
        if content.scoring.method is not ScoringMethod.MATCH_CORRECT:
            raise ExamsError(
                "rekey_not_possible",
                _("A partial-credit item is not re-keyed; credit everyone or drop it."),
            )
        key = [value.strip() for value in new_key if value.strip()]
        try:
            validate_content(dataclasses.replace(content, key=tuple(key)))
        except ContentError as error:
            raise ExamsInputError("invalid_key", error.message) from None
        if tuple(key) == tuple(content.key):
            raise ExamsInputError("same_key", _("The new key is the key already used."))
    finding.decision = decision
    finding.new_key = key
    finding.reason = reason.strip()
    finding.decided_by = actor
    finding.decided_at = now
    finding.save(
        update_fields=["decision", "new_key", "reason", "decided_by", "decided_at", "updated_at"]
    )
    record_event(
        ExamsEvent.KEY_DECIDED, actor=actor, subject=finding, related=[finding.review, session],
        reason=finding.reason, actor_role=RoleCode.PSYCHOMETRICIAN,
        data={"decision": decision, "entry_id": finding.form_entry_id, "new_key": key},
    )  # fmt: skip
    return finding


@transaction.atomic(durable=True)
def complete_key_validation(
    *, actor: User, session: ExamSession, now: dt.datetime | None = None
) -> KeyReview:
    """Every flagged item has a decision: re-score everyone (audited), then results may go out."""
    session = lock_session(session)
    require_psychometrician(actor, session)
    review = _lock_review(session)
    if review.status != KeyReviewStatus.OPEN:
        raise ExamsError("review_completed", _("The key review is completed."))
    undecided = review.findings.filter(decision="").count()
    if undecided:
        raise ExamsError(
            "decisions_missing",
            _("Decide on every flagged item first (%(count)s left).") % {"count": undecided},
        )
    now = now or timezone.now()
    decisions = {
        finding.label: finding.decision for finding in review.findings.order_by("form_entry_id")
    }
    changed = score_session(
        session, actor=actor, now=now, reason=_("Re-scored after key validation")
    )
    review.complete()
    review.completed_by = actor
    review.completed_at = now
    review.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
    session.validate()
    session.save(update_fields=["status", "updated_at"])
    record_event(
        ExamsEvent.KEYS_VALIDATED, actor=actor, subject=review, related=[session],
        actor_role=RoleCode.PSYCHOMETRICIAN, data={"decisions": decisions, "rescored": changed},
    )  # fmt: skip
    return review


def domain_feedback(domain_scores: Sequence[dict[str, Any]]) -> str:
    """The candidate's feedback: their score per competence domain."""
    lines = [_("Your results per competence domain:")]
    for domain in domain_scores:
        lines.append(
            _("%(code)s %(title)s: %(score)s of %(max)s (%(percent)s %%)")
            % {
                "code": domain["code"],
                "title": domain["title"],
                "score": domain["score"],
                "max": domain["max"],
                "percent": domain["percent"],
            }
        )
    return "\n".join(lines)


@transaction.atomic(durable=True)
def release_session_results(
    *, actor: User, session: ExamSession, now: dt.datetime | None = None
) -> list[ComponentResult]:
    """Release every result of a validated session to its candidate and into the record."""
    session = lock_session(session)
    event = session.event
    require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=event.scheme_id)
    if session.status != SessionStatus.VALIDATED:
        raise ExamsError(
            "keys_not_validated",
            _("Results are released only after key validation on this session's data (R18)."),
        )
    attempts = list(
        Attempt.objects.select_for_update(of=("self",))
        .filter(session=session, status__in=SAT_ATTEMPT_STATUSES)
        .select_related("entry__application__person__user", "entry__application__scheme")
        .order_by("pk")
    )
    unscored = [a.reference for a in attempts if a.status != AttemptStatus.SCORED]
    if unscored:
        raise ExamsError(
            "marking_incomplete",
            _("Some responses still wait for their rubric marks (%(count)s candidates).")
            % {"count": len(unscored)},
        )
    review = KeyReview.objects.get(session=session)
    form = delivered_form(session.form)
    form_cut = cut_score_of(session.form)
    component = event.component
    now = now or timezone.now()
    results = []
    for attempt in attempts:
        assert attempt.raw_score is not None
        assert attempt.max_score is not None
        cut = effective_cut(form_cut, form, attempt.max_score)
        if cut is None:
            raise ExamsError("cut_score_missing", _("The form has no approved cut score (R18)."))
        score = scoring.to_component_scale(
            attempt.raw_score, maximum=attempt.max_score, cut=cut,
            component_max=component.max_score, component_pass=component.pass_mark,
        )  # fmt: skip
        result = ComponentResult.objects.create(
            entry=attempt.entry, application=attempt.entry.application, component=component,
            event=event, status=ResultStatus.FINAL, first_marker=review.completed_by or actor,
            first_score=score, first_marked_at=attempt.scored_at or now,
            rubric_notes=_("Scored from the delivered item versions (form %(form)s): raw %(raw)s "
                           "of %(max)s, cut %(cut)s; keys validated on this session's data.")
            % {"form": form.code, "raw": attempt.raw_score, "max": attempt.max_score, "cut": cut},
            feedback=domain_feedback(attempt.domain_scores), score=score,
            passed=attempt.raw_score >= cut,
        )  # fmt: skip
        result.release()
        result.released_at = now
        result.released_by = actor
        result.save(update_fields=["status", "released_at", "released_by", "updated_at"])
        record_event(
            ExamsEvent.RESULT_RELEASED, actor=actor, subject=result,
            related=[event, attempt.entry.application, attempt],
            actor_role=RoleCode.CERTIFICATION_OFFICER,
            data={"component": component.code, "event_id": event.pk, "attempt": attempt.reference},
        )  # fmt: skip
        attempt.release()
        attempt.released_at = now
        attempt.save(update_fields=["status", "released_at", "updated_at"])
        _notify_candidate(attempt)
        results.append(result)
    session.release()
    session.released_at = now
    session.released_by = actor
    session.save(update_fields=["status", "released_at", "released_by", "updated_at"])
    session_id = session.pk
    transaction.on_commit(lambda: hand_over_after_commit(session_id))
    record_event(
        ExamsEvent.SESSION_RELEASED, actor=actor, subject=session, related=[event],
        actor_role=RoleCode.CERTIFICATION_OFFICER, data={"results": len(results)},
    )  # fmt: skip
    return results


def _notify_candidate(attempt: Attempt) -> None:
    person = attempt.entry.application.person
    if not person.email:
        return
    queue_notification(
        template="exams_session_result_released",
        recipient_email=person.email,
        recipient_person=person,
        recipient_user=attempt.candidate,
        subject=attempt,
        context={
            "name": person.given_names,
            "scheme": attempt.entry.application.scheme.name,
            "component": attempt.session.event.component.name,
            "reference": attempt.reference,
        },
    )


def component_score_of(attempt: Attempt, session: ExamSession) -> Decimal | None:
    """The attempt's score on the component's scale (what the decision will see once released)."""
    if attempt.raw_score is None or attempt.max_score is None:
        return None
    form = delivered_form(session.form)
    cut = effective_cut(cut_score_of(session.form), form, attempt.max_score)
    if cut is None:
        return None
    component = session.event.component
    return scoring.to_component_scale(
        attempt.raw_score, maximum=attempt.max_score, cut=cut,
        component_max=component.max_score, component_pass=component.pass_mark,
    )  # fmt: skip
