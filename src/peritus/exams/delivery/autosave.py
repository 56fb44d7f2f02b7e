"""Saving answers: every change is appended to the attempt's answer log, once per idempotency key.

The browser retries a save with the same key until the server confirms it, so a dropped network
or a reload loses nothing and a double send stores once. The server's clock decides: a save
received after the deadline (and its small grace for transit) is refused with a stable code.
The current answers are derived from the log (`grading.current_answers`), never kept apart.

`save_answer` is the hottest path of delivery: one read of the attempt and one INSERT, each its
own transaction; the form's content comes from the process cache. Where the candidate is (to
resume there) is recorded when a question page is opened (`record_position`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.audit_trail.services import record_standalone_event
from peritus.core.errors import NotFoundError
from peritus.exams.delivery import conf
from peritus.exams.delivery.form_content import delivered_form_by_id
from peritus.exams.delivery.gate import lock_attempt, require_candidate
from peritus.exams.delivery.invigilation import close_attempt, close_if_expired
from peritus.exams.delivery.responses import Fields, ResponseError, parse_response
from peritus.exams.delivery.timing import attempt_clock
from peritus.exams.errors import ExamsError, ExamsInputError, ExamsNotPermittedError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import (
    AnswerChannel,
    AnswerEvent,
    Attempt,
    AttemptStatus,
    CloseReason,
)

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclasses.dataclass(frozen=True)
class SaveReceipt:
    """What the server confirms: the answer is in the log (now, or before: `duplicate`)."""

    duplicate: bool
    deadline: dt.datetime | None
    status: str


def _refusal(status: str, deadline: dt.datetime | None, now: dt.datetime) -> ExamsError | None:
    if status == AttemptStatus.PAUSED:
        return ExamsError("attempt_paused", _("Your exam is paused; answers are not taken now."))
    if status in (AttemptStatus.BOOKED, AttemptStatus.CHECKED_IN):
        return ExamsError("attempt_not_started", _("Your exam has not started."))
    if status != AttemptStatus.IN_PROGRESS:
        return ExamsError("attempt_closed", _("Your exam is closed; answers are not taken."))
    if deadline is not None and now > deadline + conf.deadline_grace():
        return ExamsError(
            "answer_after_deadline",
            _("The time is up: the answer arrived after the deadline and was not taken."),
        )
    return None


def save_answer(
    *,
    actor: Any,
    reference: str,
    position: int,
    fields: Fields,
    idempotency_key: str,
    flagged: bool = False,
    channel: str = AnswerChannel.AUTOSAVE,
    now: dt.datetime | None = None,
) -> SaveReceipt:
    """Append the candidate's answer to the item at `position` (as they see the form).

    Two statements, each its own transaction: read the attempt, then one INSERT that either
    appends the answer or finds its key already there. No lock is needed: the log is
    append-only, and an answer counts when the attempt was open at the moment it was received
    (`now`); closing an attempt never waits for a save, and a save never waits for another.
    """
    if not IDEMPOTENCY_KEY.match(idempotency_key or ""):
        raise ExamsInputError("invalid_idempotency_key", _("The save carries no valid key."))
    if channel not in AnswerChannel.values:
        raise ExamsInputError("invalid_channel", _("Unknown way of saving."))
    now = now or timezone.now()
    row = _read_attempt(reference)
    if row is None:
        raise NotFoundError("attempt_not_found", _("No such exam."))
    if row["candidate_id"] != getattr(actor, "pk", None):
        raise ExamsNotPermittedError(
            "not_the_candidate", _("Only the candidate sitting this exam answers it.")
        )
    receipt = SaveReceipt(True, row["deadline_at"], row["status"])
    refusal = _refusal(row["status"], row["deadline_at"], now)
    if refusal is not None:
        if _is_stored(row["pk"], idempotency_key):
            return receipt  # confirmed before (the reply was lost): confirm again
        _refused(
            actor, row["pk"], refusal=refusal, position=position, deadline=row["deadline_at"],
            now=now,
        )  # fmt: skip
        raise refusal
    order: list[int] = row["item_order"]
    if not 1 <= position <= len(order):
        raise ExamsInputError("unknown_position", _("There is no such question."))
    entry_id = order[position - 1]
    approved = row["session__form__approved_at"]
    stamp = approved.isoformat() if approved is not None else "unapproved"
    form = delivered_form_by_id(row["session__form_id"], stamp)
    try:
        response = parse_response(
            form.by_entry[entry_id].content, fields, max_text=conf.max_answer_chars()
        )
    except ResponseError as error:
        raise ExamsInputError(error.code, error.message) from None
    if channel == AnswerChannel.FORM and _unchanged(row["pk"], entry_id, response, flagged):
        # A page's buttons post the question even when nothing changed: log changes only.
        return receipt
    appended = _append(
        attempt_id=row["pk"], entry_id=entry_id, position=position, response=response,
        flagged=flagged, key=idempotency_key, channel=channel, at=now,
    )  # fmt: skip
    return SaveReceipt(not appended, row["deadline_at"], row["status"])


_READ_FIELDS = (
    "pk", "candidate_id", "status", "deadline_at", "item_order",
    "session__form_id", "session__form__approved_at",
)  # fmt: skip
_compiled: dict[str, tuple[str, Any, list[Any]]] = {}


def _read_attempt(reference: str) -> dict[str, Any] | None:
    """What a save needs of the attempt, in one query compiled once per process and database.

    The ORM builds the SQL and the value converters (JSON, datetimes on SQLite) the first time;
    every later save only executes it: the save is the hottest path of delivery.
    """
    key = connection.alias + connection.vendor
    if key not in _compiled:
        query = Attempt.objects.filter(reference=reference).values(*_READ_FIELDS)[:1].query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if list(params) != [reference]:  # the reference must be the only parameter
            raise RuntimeError("unexpected parameters in the attempt query")
        converters = compiler.get_converters([column[0] for column in compiler.select])
        _compiled[key] = (sql, compiler, converters)
    sql, compiler, converters = _compiled[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, [reference])
        rows = cursor.fetchall()
    if not rows:
        return None
    values = next(iter(compiler.apply_converters(rows, converters))) if converters else rows[0]
    return dict(zip(_READ_FIELDS, values, strict=True))


def _refused(
    actor: Any,
    attempt_id: int,
    *,
    refusal: ExamsError,
    position: int,
    deadline: dt.datetime | None,
    now: dt.datetime,
) -> None:
    """A late answer is audited (an appeal may turn on it), and the attempt closed at once."""
    if refusal.code != "answer_after_deadline":
        return
    attempt = Attempt.objects.select_related("candidate").get(pk=attempt_id)
    record_standalone_event(
        ExamsEvent.ANSWER_REFUSED,
        actor=attempt.candidate,  # the caller may hold only the candidate's id (answer token)
        subject=attempt,
        actor_role="candidate",
        reason=refusal.code,
        data={"position": position, "deadline": deadline, "received_at": now},
    )
    close_if_expired(attempt_id=attempt_id, now=now)


def _is_stored(attempt_id: int, key: str) -> bool:
    return AnswerEvent.objects.filter(attempt_id=attempt_id, idempotency_key=key).exists()


def _unchanged(attempt_id: int, entry_id: int, response: tuple[str, ...], flagged: bool) -> bool:
    latest = (
        AnswerEvent.objects.filter(attempt_id=attempt_id, form_entry_id=entry_id)
        .order_by("-id")
        .values_list("response", "flagged")
        .first()
    )
    if latest is None:
        return not response and not flagged
    return (tuple(latest[0]), latest[1]) == (response, flagged)


_INSERT = (
    "INSERT INTO {table} (attempt_id, form_entry_id, position, response, flagged,"
    " idempotency_key, channel, received_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (attempt_id, idempotency_key) DO NOTHING RETURNING id"
)


def _append(
    *,
    attempt_id: int,
    entry_id: int,
    position: int,
    response: tuple[str, ...],
    flagged: bool,
    key: str,
    channel: str,
    at: dt.datetime,
) -> bool:
    """One row in the answer log unless the key is already there: one statement on both
    databases (`INSERT … ON CONFLICT DO NOTHING RETURNING`). True when it was appended."""
    fields = AnswerEvent._meta
    params = [
        attempt_id, entry_id, position,
        fields.get_field("response").get_db_prep_value(list(response), connection),
        flagged, key, channel,
        fields.get_field("received_at").get_db_prep_value(at, connection),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(_INSERT.format(table=connection.ops.quote_name(fields.db_table)), params)
        return cursor.fetchone() is not None


@transaction.atomic(durable=True)
def record_position(*, actor: Any, attempt: Attempt, position: int) -> None:
    """Remember where the candidate is, so a reload or another computer resumes there."""
    if attempt.candidate_id != getattr(actor, "pk", None):
        raise ExamsNotPermittedError("not_the_candidate", _("Only the candidate moves."))
    if 1 <= position <= len(attempt.item_order) and attempt.current_position != position:
        Attempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
            current_position=position
        )


@transaction.atomic(durable=True)
def submit_attempt(*, actor: Any, attempt: Attempt, now: dt.datetime | None = None) -> Attempt:
    """The candidate hands in; after the deadline the attempt is closed at the deadline instead."""
    attempt = lock_attempt(attempt)
    require_candidate(actor, attempt)
    if attempt.status == AttemptStatus.PAUSED:
        raise ExamsError("attempt_paused", _("Your exam is paused; wait for the invigilator."))
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise ExamsError("attempt_closed", _("Your exam is already closed."))
    now = now or timezone.now()
    state = attempt_clock(attempt, now=now)
    if (
        state.expired
        and state.expired_at is not None
        and now > state.expired_at + conf.deadline_grace()
    ):
        return close_attempt(attempt, reason=CloseReason.DEADLINE, actor=None, at=state.expired_at)
    return close_attempt(attempt, reason=CloseReason.SUBMITTED, actor=actor, at=now)
