"""Scoring attempts in the database: from the answer log, the rubric marks and the key decisions.

Building blocks inside the caller's transaction. The arithmetic is `scoring` (pure); this module
gathers its inputs, stores the item, domain and total scores on the attempt, moves a closed
attempt to *scored* once every item has a score, and audits every score that changes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peritus.audit_trail.services import record_event
from peritus.exams.delivery import scoring
from peritus.exams.delivery.form_content import DeliveredForm, cut_score_of, delivered_form
from peritus.exams.delivery.responses import CurrentAnswer, LoggedAnswer, replay
from peritus.exams.events import ExamsEvent
from peritus.exams.models import (
    CLOSED_ATTEMPT_STATUSES,
    AnswerEvent,
    Attempt,
    AttemptStatus,
    ExamSession,
    KeyDecisionChoice,
    KeyFinding,
    MarkStatus,
    RubricMark,
)

SCORABLE_STATUSES = (*CLOSED_ATTEMPT_STATUSES, AttemptStatus.SCORED)


def current_answers(attempt_ids: Sequence[int]) -> dict[int, dict[int, CurrentAnswer]]:
    """The current answer per attempt and entry: the last one in each attempt's answer log."""
    rows = AnswerEvent.objects.filter(attempt_id__in=list(attempt_ids)).values_list(
        "attempt_id", "form_entry_id", "id", "response", "flagged"
    )
    logged: dict[int, list[LoggedAnswer]] = defaultdict(list)
    for attempt_id, entry_id, sequence, response, flagged in rows:
        logged[attempt_id].append(LoggedAnswer(entry_id, sequence, tuple(response), flagged))
    return {attempt_id: replay(logged.get(attempt_id, ())) for attempt_id in attempt_ids}


def key_overrides(session: ExamSession) -> dict[int, scoring.KeyOverride]:
    """The psychometrician's decisions on the session's flagged items (accepting changes nothing)."""
    decisions = KeyFinding.objects.filter(review__session=session).exclude(
        decision__in=["", KeyDecisionChoice.ACCEPT]
    )
    return {
        finding.form_entry_id: scoring.KeyOverride(
            scoring.KeyDecision(finding.decision), tuple(finding.new_key or ())
        )
        for finding in decisions
    }


def final_rubric_scores(attempt_ids: Iterable[int]) -> dict[tuple[int, int], Decimal]:
    return {
        (attempt_id, entry_id): score
        for attempt_id, entry_id, score in RubricMark.objects.filter(
            attempt_id__in=list(attempt_ids), status=MarkStatus.FINAL
        ).values_list("attempt_id", "form_entry_id", "score")
        if score is not None
    }


def item_scores_of(
    attempt: Attempt,
    form: DeliveredForm,
    answers: dict[int, CurrentAnswer],
    rubric: dict[tuple[int, int], Decimal],
    overrides: dict[int, scoring.KeyOverride],
) -> list[scoring.ItemScore]:
    scores = []
    for item in form.items:
        answer = answers.get(item.entry_id)
        scores.append(
            scoring.score_entry(
                entry_id=item.entry_id,
                content=item.content,
                points=item.points,
                response=answer.response if answer else (),
                override=overrides.get(item.entry_id),
                rubric_score=rubric.get((attempt.pk, item.entry_id)),
            )
        )
    return scores


def effective_cut(cut: Decimal | None, form: DeliveredForm, maximum: Decimal) -> Decimal | None:
    """The form's cut; when items are dropped, scaled to the maximum that remains."""
    if cut is None:
        return None
    full = form.total_points
    if full <= 0 or maximum == full:
        return cut
    return (cut * maximum / full).quantize(scoring.CENT, ROUND_HALF_UP)


def _store(
    attempt: Attempt,
    scores: list[scoring.ItemScore],
    form: DeliveredForm,
    *,
    cut_score: Decimal | None,
    actor: Any,
    now: dt.datetime,
    reason: str,
) -> bool:
    """Store the scores; move to scored when complete; audit a first score or a change."""
    previous = (attempt.raw_score, attempt.passed, dict(attempt.item_scores))
    attempt.item_scores = {
        str(item.entry_id): None
        if item.score is None
        else str(item.score.quantize(scoring.PRECISION))
        for item in scores
    }
    complete = all(item.score is not None for item in scores if item.counted)
    update = ["item_scores", "updated_at"]
    first = False
    if complete:
        raw, maximum = scoring.total(scores)
        domains = {item.entry_id: (item.domain_code, item.domain_title) for item in form.items}
        cut = effective_cut(cut_score, form, maximum)
        attempt.raw_score = raw
        attempt.max_score = maximum
        attempt.passed = None if cut is None else raw >= cut
        attempt.domain_scores = [
            {
                "code": domain.code, "title": domain.title, "score": str(domain.score),
                "max": str(domain.max_score), "percent": int(domain.percent),
            }
            for domain in scoring.by_domain(scores, domains)
        ]  # fmt: skip
        update += ["raw_score", "max_score", "passed", "domain_scores"]
        first = attempt.status in CLOSED_ATTEMPT_STATUSES
        if first:
            attempt.record_score()
            attempt.scored_at = now
            update += ["status", "scored_at"]
    attempt.save(update_fields=update)
    changed = previous != (attempt.raw_score, attempt.passed, attempt.item_scores)
    if complete and first:
        record_event(
            ExamsEvent.ATTEMPT_SCORED, actor=actor, subject=attempt, related=[attempt.session],
            data={"raw_score": attempt.raw_score, "max_score": attempt.max_score,
                  "passed": attempt.passed},
        )  # fmt: skip
    elif complete and changed and previous[0] is not None:
        record_event(
            ExamsEvent.ATTEMPT_RESCORED, actor=actor, subject=attempt, related=[attempt.session],
            reason=reason,
            data={"before": {"raw_score": previous[0], "passed": previous[1]},
                  "after": {"raw_score": attempt.raw_score, "passed": attempt.passed},
                  "items_changed": sorted(
                      key for key, value in attempt.item_scores.items()
                      if previous[2].get(key) != value
                  )},
        )  # fmt: skip
    return changed


def score_attempts(
    attempts: Sequence[Attempt],
    session: ExamSession,
    *,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
) -> int:
    """(Re-)score closed attempts of one session; returns how many scores changed."""
    if not attempts:
        return 0
    form = delivered_form(session.form)
    ids = [attempt.pk for attempt in attempts]
    answers = current_answers(ids)
    rubric = final_rubric_scores(ids)
    overrides = key_overrides(session)
    cut = cut_score_of(session.form)
    changed = 0
    for attempt in attempts:
        scores = item_scores_of(attempt, form, answers.get(attempt.pk, {}), rubric, overrides)
        changed += _store(attempt, scores, form, cut_score=cut, actor=actor, now=now, reason=reason)
    return changed


def score_session(session: ExamSession, *, actor: Any, now: dt.datetime, reason: str = "") -> int:
    """Score every attempt of the session that was sat and is not released yet."""
    attempts = list(
        Attempt.objects.select_for_update(of=("self",))
        .filter(session=session, status__in=SCORABLE_STATUSES)
        .select_related("session")
        .order_by("pk")
    )
    return score_attempts(attempts, session, actor=actor, now=now, reason=reason)
