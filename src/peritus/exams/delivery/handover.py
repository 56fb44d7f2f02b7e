"""Handing a released session's item-level responses to the item bank's statistics (9.3.5).

Once the results are released, the responses of everyone who sat go to
`itembank.statistics.services.record_form_responses` as one administration of the form, for the
scheduled statistics review. Right after the release commits, and again from `peritus tick` until
it is done (the item bank refuses a duplicate administration, which counts as done).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from peritus.exams.delivery.form_content import delivered_form
from peritus.exams.delivery.grading import current_answers, final_rubric_scores
from peritus.exams.delivery.scoring import raw_score
from peritus.exams.models import SAT_ATTEMPT_STATUSES, Attempt, ExamSession, SessionStatus
from peritus.itembank.errors import ItemBankError
from peritus.itembank.qti.content import InteractionType
from peritus.itembank.statistics.models import ResponseSource
from peritus.itembank.statistics.services import CandidateAnswers, record_form_responses

logger = logging.getLogger(__name__)

SELECTED = frozenset(
    {
        InteractionType.SINGLE_CHOICE,
        InteractionType.TRUE_FALSE,
        InteractionType.INLINE_CHOICE,
        InteractionType.MULTIPLE_RESPONSE,
    }
)


def form_responses(session: ExamSession) -> list[CandidateAnswers]:
    """What each candidate answered, as the statistics keep it: the options chosen, or a whole-
    number score on the item's own scale (scored by delivery or marked by examiners)."""
    form = delivered_form(session.form)
    attempts = list(
        Attempt.objects.filter(session=session, status__in=SAT_ATTEMPT_STATUSES)
        .select_related("entry__application")
        .order_by("pk")
    )
    ids = [attempt.pk for attempt in attempts]
    answers = current_answers(ids)
    rubric = final_rubric_scores(ids)
    rows = []
    for attempt in attempts:
        given: dict[int, Any] = {}
        for item in form.items:
            answer = answers[attempt.pk].get(item.entry_id)
            content = item.content
            maximum = max(1, math.ceil(content.max_score))
            if item.is_rubric:
                mark = rubric.get((attempt.pk, item.entry_id))
                if mark is None or item.points <= 0:
                    continue
                on_scale = mark * Decimal(str(content.max_score)) / item.points
                given[item.item_version_id] = min(
                    int(on_scale.quantize(Decimal(1), ROUND_HALF_UP)), maximum
                )
            elif answer is None or not answer.response:
                continue
            elif content.interaction in SELECTED:
                given[item.item_version_id] = list(answer.response)
            else:
                score = Decimal(str(raw_score(content, answer.response)))
                given[item.item_version_id] = min(
                    int(score.quantize(Decimal(1), ROUND_HALF_UP)), maximum
                )
        rows.append(
            CandidateAnswers(
                candidate_code=attempt.reference,
                answers=given,
                application=attempt.entry.application,
            )
        )
    return rows


def hand_over_responses(*, session_id: int, now: dt.datetime | None = None) -> bool:
    """Record the session's responses in the item bank once; True when they are recorded."""
    session = ExamSession.objects.select_related("event", "form").get(pk=session_id)
    if session.status != SessionStatus.RELEASED or session.responses_recorded_at is not None:
        return session.responses_recorded_at is not None
    rows = form_responses(session)
    if rows:
        try:
            record_form_responses(
                form=session.form,
                administered_on=timezone.localtime(session.event.starts_at).date(),
                source=ResponseSource.ONLINE,
                responses=rows,
                actor=None,
                reference=session.event.reference,
            )
        except ItemBankError as error:
            if error.code != "duplicate_administration":
                raise
    with transaction.atomic():
        ExamSession.objects.filter(pk=session.pk, responses_recorded_at__isnull=True).update(
            responses_recorded_at=now or timezone.now()
        )
    return True


def hand_over_after_commit(session_id: int) -> None:
    """Called once the release commits; a failure is left to the tick job, never to the officer."""
    try:
        hand_over_responses(session_id=session_id)
    except Exception:
        logger.exception("responses of session %s not handed over yet; the job retries", session_id)


def hand_over_pending(*, now: dt.datetime) -> int:
    """The job: every released session whose responses are not in the item bank yet."""
    done = 0
    for session_id in ExamSession.objects.filter(
        status=SessionStatus.RELEASED, responses_recorded_at__isnull=True
    ).values_list("pk", flat=True):
        if hand_over_responses(session_id=session_id, now=now):
            done += 1
    return done
