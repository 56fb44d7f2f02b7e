"""Rubric marking of extended responses by examiners (6.2, R13, R14), with double marking and
adjudication, under the assessment record's marking rules (`services.check_may_mark`): an
examiner assigned to the event, in role, who declared their interests for every candidate and has
no conflict with this one; an invigilator never marks.

Marking is blind: examiners see the attempt's reference and the response, not the name.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.audit_trail.services import record_event
from peritus.exams.delivery.form_content import DeliveredItem, delivered_form
from peritus.exams.delivery.gate import lock_attempt
from peritus.exams.delivery.grading import score_attempts
from peritus.exams.errors import ExamsError, ExamsInputError, ImpartialityError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import (
    CLOSED_ATTEMPT_STATUSES,
    Attempt,
    AttemptStatus,
    MarkStatus,
    RubricMark,
    SessionStatus,
)
from peritus.exams.services import check_may_mark
from peritus.impartiality.models import MitigationKind
from peritus.impartiality.refusals import audit_refusals
from peritus.impartiality.selectors import get_approved_mitigation

CENT = Decimal("0.01")
MARKABLE_SESSION_STATUSES = (SessionStatus.ENDED, SessionStatus.VALIDATED)


def _points(value: Any, item: DeliveredItem) -> Decimal:
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ExamsInputError("score_not_a_number", _("The score must be a number.")) from None
    if not score.is_finite() or score != score.quantize(CENT):
        raise ExamsInputError(
            "score_not_a_number", _("The score must be a number with at most two decimals.")
        )
    if not Decimal(0) <= score <= item.points:
        raise ExamsInputError(
            "score_out_of_range",
            _("The score must lie between 0 and %(max)s.") % {"max": item.points},
        )
    return score


def _rubric_item(attempt: Attempt, entry_id: int) -> DeliveredItem:
    item = delivered_form(attempt.session.form).by_entry.get(entry_id)
    if item is None or not item.is_rubric or entry_id not in attempt.item_order:
        raise ExamsInputError("not_a_rubric_item", _("This item is not marked by rubric."))
    return item


def _check(actor: Any, attempt: Attempt) -> None:
    check_may_mark(actor, attempt.entry)
    if attempt.session.status not in MARKABLE_SESSION_STATUSES:
        raise ExamsError(
            "not_markable_now", _("Responses are marked after the session, before release.")
        )
    if attempt.status not in (*CLOSED_ATTEMPT_STATUSES, AttemptStatus.SCORED):
        raise ExamsError("attempt_not_closed", _("This attempt is not closed."))


def _lock_mark(mark: RubricMark) -> RubricMark:
    return RubricMark.objects.select_for_update(of=("self",)).get(pk=mark.pk)


def _rescore(attempt: Attempt, actor: Any, now: dt.datetime) -> None:
    score_attempts([attempt], attempt.session, actor=actor, now=now)


def _tolerance(attempt: Attempt, item: DeliveredItem) -> Decimal:
    """The event's marking tolerance, scaled from the component's maximum to the item's points."""
    event = attempt.session.event
    maximum = event.component.max_score
    if maximum <= 0:
        return Decimal(0)
    return (event.marking_tolerance * item.points / maximum).quantize(CENT, ROUND_HALF_UP)


@audit_refusals("record_rubric_mark")
@transaction.atomic(durable=True)
def record_rubric_mark(
    *,
    actor: User,
    attempt: Attempt,
    entry_id: int,
    score: Any,
    notes: str = "",
    now: dt.datetime | None = None,
) -> RubricMark:
    """The first examiner marks an extended response against its rubric."""
    now = now or timezone.now()
    attempt = lock_attempt(attempt)
    _check(actor, attempt)
    item = _rubric_item(attempt, entry_id)
    if RubricMark.objects.filter(attempt=attempt, form_entry_id=entry_id).exists():
        raise ExamsError("already_marked", _("This response is already marked."))
    value = _points(score, item)
    mitigation = get_approved_mitigation(
        actor, attempt.entry.application.person_id, context=attempt.session.event
    )
    second = attempt.session.event.double_marking or (
        mitigation is not None and mitigation.kind == MitigationKind.SECOND_EXAMINER
    )
    mark = RubricMark.objects.create(
        attempt=attempt, form_entry_id=entry_id,
        status=MarkStatus.AWAITING_SECOND_MARK if second else MarkStatus.FINAL,
        first_marker=actor, first_score=value, first_notes=notes.strip(),
        first_marked_at=now, score=None if second else value,
    )  # fmt: skip
    record_event(
        ExamsEvent.RUBRIC_FIRST_MARK, actor=actor, subject=mark, related=[attempt],
        actor_role=RoleCode.EXAMINER, data={"status": mark.status, "entry_id": entry_id},
    )  # fmt: skip
    if not second:
        _rescore(attempt, actor, now)
    return mark


@audit_refusals("record_second_rubric_mark")
@transaction.atomic(durable=True)
def record_second_rubric_mark(
    *, actor: User, mark: RubricMark, score: Any, notes: str = "", now: dt.datetime | None = None
) -> RubricMark:
    """An independent second examiner marks; within the tolerance the two are averaged."""
    now = now or timezone.now()
    mark = _lock_mark(mark)
    attempt = lock_attempt(mark.attempt)
    if mark.first_marker_id == actor.pk:
        raise ImpartialityError(
            "same_marker", _("The second mark comes from another examiner than the first.")
        )
    _check(actor, attempt)
    if mark.status != MarkStatus.AWAITING_SECOND_MARK:
        raise ExamsError("not_awaiting_second_mark", _("This response waits for no second mark."))
    item = _rubric_item(attempt, mark.form_entry_id)
    value = _points(score, item)
    mark.second_marker = actor
    mark.second_score = value
    mark.second_notes = notes.strip()
    mark.second_marked_at = now
    if abs(mark.first_score - value) > _tolerance(attempt, item):
        mark.disagree()
    else:
        mark.agree()
        mark.score = ((mark.first_score + value) / 2).quantize(CENT, ROUND_HALF_UP)
    mark.save(
        update_fields=["status", "second_marker", "second_score", "second_notes",
                       "second_marked_at", "score", "updated_at"]
    )  # fmt: skip
    record_event(
        ExamsEvent.RUBRIC_SECOND_MARK, actor=actor, subject=mark, related=[attempt],
        actor_role=RoleCode.EXAMINER, data={"status": mark.status},
    )  # fmt: skip
    if mark.status == MarkStatus.FINAL:
        _rescore(attempt, actor, now)
    return mark


@audit_refusals("adjudicate_rubric_mark")
@transaction.atomic(durable=True)
def adjudicate_rubric_mark(
    *, actor: User, mark: RubricMark, score: Any, notes: str, now: dt.datetime | None = None
) -> RubricMark:
    """Marks differ beyond the tolerance: an examiner without a conflict decides, with reasons."""
    now = now or timezone.now()
    mark = _lock_mark(mark)
    attempt = lock_attempt(mark.attempt)
    _check(actor, attempt)
    if mark.status != MarkStatus.AWAITING_RECONCILIATION:
        raise ExamsError("not_awaiting_adjudication", _("These marks need no adjudication."))
    if not notes.strip():
        raise ExamsInputError("reasons_required", _("Record why this score was decided."))
    value = _points(score, _rubric_item(attempt, mark.form_entry_id))
    mark.adjudicate()
    mark.adjudicated_by = actor
    mark.adjudicated_at = now
    mark.adjudication_notes = notes.strip()
    mark.score = value
    mark.save(
        update_fields=["status", "adjudicated_by", "adjudicated_at", "adjudication_notes",
                       "score", "updated_at"]
    )  # fmt: skip
    record_event(
        ExamsEvent.RUBRIC_ADJUDICATED, actor=actor, subject=mark, related=[attempt],
        actor_role=RoleCode.EXAMINER, reason=mark.adjudication_notes, data={"score": value},
    )  # fmt: skip
    _rescore(attempt, actor, now)
    return mark
