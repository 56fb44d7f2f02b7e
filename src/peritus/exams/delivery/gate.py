"""The entry gate (R17): an attempt starts only after the candidate accepted the exam rules and the
non-disclosure agreement, the invigilator recorded the identity check (which applies the approved
accommodations) and released the start. Then the candidate starts, and the server's clock runs.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.applications.models import AccommodationKind
from peritus.applications.selectors import get_approved_accommodations
from peritus.audit_trail.services import record_event
from peritus.exams.delivery import clock, conf
from peritus.exams.delivery.form_content import delivered_form
from peritus.exams.delivery.ordering import DeliveredEntry, delivery_order
from peritus.exams.delivery.sessions import lock_session, require_invigilator, start_window_closes
from peritus.exams.delivery.timing import record_clock_event
from peritus.exams.errors import ExamsError, ExamsInputError, ExamsNotPermittedError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import (
    Attempt,
    AttemptStatus,
    Attendance,
    ClockEventKind,
    EventCandidate,
    IdentityDocument,
    SessionStatus,
)
from peritus.impartiality.refusals import audit_refusals
from peritus.itembank.qti.content import InteractionType
from peritus.itembank.services import record_item_exposure


def lock_attempt(attempt: Attempt) -> Attempt:
    return (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("session__event__component", "session__event__scheme", "session__form")
        .get(pk=attempt.pk)
    )


def require_candidate(actor: Any, attempt: Attempt) -> None:
    """Only the candidate acts on their own sitting; nobody else (an invigilator never answers)."""
    if actor is None or actor.pk != attempt.candidate_id:
        raise ExamsNotPermittedError(
            "not_the_candidate", _("Only the candidate sitting this exam can do this.")
        )


def _check_in_window(attempt: Attempt, now: dt.datetime) -> None:
    event = attempt.session.event
    if attempt.session.status != SessionStatus.SCHEDULED:
        raise ExamsError("session_not_running", _("The session is over."))
    if now < event.starts_at - conf.check_in_opens_before():
        raise ExamsError("check_in_not_open", _("Check-in has not opened yet."))
    if now > start_window_closes(attempt.session):
        raise ExamsError("start_window_closed", _("The time to start this session has passed."))


@transaction.atomic(durable=True)
def check_in(
    *,
    actor: User,
    attempt: Attempt,
    accept_rules: bool,
    accept_nda: bool,
    now: dt.datetime | None = None,
) -> Attempt:
    """The candidate accepts the exam rules and the non-disclosure agreement (text version kept)."""
    attempt = lock_attempt(attempt)
    require_candidate(actor, attempt)
    if not (accept_rules and accept_nda):
        raise ExamsInputError(
            "rules_not_accepted",
            _("Accept the exam rules and the non-disclosure agreement to check in."),
        )
    if attempt.status != AttemptStatus.BOOKED:
        raise ExamsError("already_checked_in", _("You have already checked in."))
    now = now or timezone.now()
    _check_in_window(attempt, now)
    session = attempt.session
    attempt.check_in()
    attempt.rules_version = session.rules_version
    attempt.rules_sha256 = session.rules_sha256
    attempt.rules_accepted_at = now
    attempt.save(
        update_fields=["status", "rules_version", "rules_sha256", "rules_accepted_at", "updated_at"]
    )
    record_event(
        ExamsEvent.ATTEMPT_CHECKED_IN,
        actor=actor,
        subject=attempt,
        related=[session],
        actor_role="candidate",
        data={"rules_version": session.rules_version, "rules_sha256": session.rules_sha256},
    )
    return attempt


def apply_accommodations(attempt: Attempt, now: dt.datetime) -> None:
    """Copy the approved accommodations onto the attempt (9.2: applied to every attempt)."""
    approved = list(get_approved_accommodations(attempt.entry.application))
    kinds = {accommodation.kind for accommodation in approved}
    attempt.accommodation_ids = [accommodation.pk for accommodation in approved]
    attempt.extra_time_percent = max(
        (a.extra_time_percent or 0 for a in approved if a.kind == AccommodationKind.EXTRA_TIME),
        default=0,
    )
    attempt.rest_breaks = AccommodationKind.REST_BREAKS in kinds
    attempt.large_text = AccommodationKind.LARGE_PRINT in kinds
    attempt.high_contrast = AccommodationKind.LARGE_PRINT in kinds
    attempt.screen_reader = bool(
        kinds & {AccommodationKind.ASSISTIVE_TECHNOLOGY, AccommodationKind.READER}
    )
    attempt.separate_room = AccommodationKind.SEPARATE_ROOM in kinds
    attempt.accommodations_applied_at = now


@audit_refusals("record_identity_check")
@transaction.atomic(durable=True)
def record_identity_check(
    *,
    actor: User,
    attempt: Attempt,
    document: str,
    release: bool = False,
    now: dt.datetime | None = None,
) -> Attempt:
    """The invigilator saw the candidate's identity document; the accommodations are applied.
    With `release`, the start is released in the same step (once the rules are accepted)."""
    attempt = lock_attempt(attempt)
    session = lock_session(attempt.session)
    require_invigilator(actor, session)
    if document not in IdentityDocument.values:
        raise ExamsInputError("unknown_document", _("Say which identity document you saw."))
    if attempt.status not in (AttemptStatus.BOOKED, AttemptStatus.CHECKED_IN):
        raise ExamsError("attempt_started", _("The candidate has already started."))
    now = now or timezone.now()
    if session.status != SessionStatus.SCHEDULED:
        raise ExamsError("session_not_running", _("The session is over."))
    attempt.identity_checked_at = now
    attempt.identity_checked_by = actor
    attempt.identity_document = document
    apply_accommodations(attempt, now)
    attempt.save(
        update_fields=[
            "identity_checked_at", "identity_checked_by", "identity_document",
            "accommodation_ids", "extra_time_percent", "rest_breaks", "large_text",
            "high_contrast", "screen_reader", "separate_room", "accommodations_applied_at",
            "updated_at",
        ]
    )  # fmt: skip
    record_event(
        ExamsEvent.IDENTITY_CHECKED,
        actor=actor,
        subject=attempt,
        related=[session],
        actor_role=RoleCode.INVIGILATOR,
        data={
            "document": document,
            "accommodation_ids": attempt.accommodation_ids,
            "extra_time_percent": attempt.extra_time_percent,
        },
    )
    if release and attempt.status == AttemptStatus.CHECKED_IN:
        _release(actor, attempt, now)
    return attempt


def _release(actor: User, attempt: Attempt, now: dt.datetime) -> None:
    attempt.start_released_at = now
    attempt.start_released_by = actor
    attempt.save(update_fields=["start_released_at", "start_released_by", "updated_at"])
    record_event(
        ExamsEvent.START_RELEASED,
        actor=actor,
        subject=attempt,
        related=[attempt.session],
        actor_role=RoleCode.INVIGILATOR,
    )


@audit_refusals("release_start")
@transaction.atomic(durable=True)
def release_start(*, actor: User, attempt: Attempt, now: dt.datetime | None = None) -> Attempt:
    """The invigilator lets a checked-in candidate whose identity was checked begin."""
    now = now or timezone.now()
    attempt = lock_attempt(attempt)
    require_invigilator(actor, lock_session(attempt.session))
    if attempt.status != AttemptStatus.CHECKED_IN:
        raise ExamsError(
            "not_checked_in",
            _("The candidate must check in (accept the rules) before the start is released."),
        )
    if attempt.identity_checked_at is None:
        raise ExamsError("identity_not_checked", _("Record the identity check first."))
    if attempt.start_released_at is not None:
        raise ExamsError("already_released", _("The start is already released."))
    _release(actor, attempt, now)
    return attempt


def _delivery_entries(attempt: Attempt) -> list[DeliveredEntry]:
    form = delivered_form(attempt.session.form)
    entries = []
    for item in form.items:
        content = item.content
        left = tuple(content.option_ids(0)) if content.interaction is InteractionType.MATCH else ()
        entries.append(
            DeliveredEntry(
                entry_id=item.entry_id,
                interaction=content.interaction,
                option_ids=left or tuple(content.option_ids()),
                right_ids=tuple(content.option_ids(1)) if left else (),
                may_shuffle=content.shuffle,
                stimulus_id=item.stimulus_id,
                key=tuple(content.key) if content.interaction is InteractionType.ORDER else (),
            )
        )
    return entries


@transaction.atomic(durable=True)
def start_attempt(*, actor: User, attempt: Attempt, now: dt.datetime | None = None) -> Attempt:
    """The candidate begins: the order is drawn and recorded, and the server's clock starts."""
    attempt = lock_attempt(attempt)
    require_candidate(actor, attempt)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return attempt  # a second click or a second tab: already started
    if attempt.status != AttemptStatus.CHECKED_IN:
        raise ExamsError("not_checked_in", _("Check in first."))
    missing = [
        label
        for label, done in (
            ("rules", attempt.rules_accepted_at),
            ("identity", attempt.identity_checked_at),
            ("accommodations", attempt.accommodations_applied_at),
            ("release", attempt.start_released_at),
        )
        if done is None
    ]
    if missing:
        raise ExamsError(
            "entry_gate_not_passed",
            _("The invigilator has not released your start yet."),
            missing=missing,
        )
    now = now or timezone.now()
    session = lock_session(attempt.session)
    _check_in_window(attempt, now)
    if session.room_paused_at is not None:
        raise ExamsError("session_paused", _("The session is paused; wait for the invigilator."))
    seed = secrets.randbits(62)
    order = delivery_order(
        _delivery_entries(attempt),
        seed=seed,
        shuffle_items=session.shuffle_items,
        shuffle_options=session.shuffle_options,
    )
    allotted = clock.allotted_time(session.event.duration_minutes, attempt.extra_time_percent)
    attempt.start()
    attempt.seed = seed
    attempt.item_order = list(order.item_order)
    attempt.option_orders = {str(k): list(v) for k, v in order.option_orders.items()}
    attempt.started_at = now
    attempt.allotted_seconds = int(allotted.total_seconds())
    attempt.current_position = 1
    record_clock_event(attempt, ClockEventKind.START, at=now, actor=actor)
    attempt.save(
        update_fields=[
            "status", "seed", "item_order", "option_orders", "started_at", "allotted_seconds",
            "deadline_at", "current_position", "updated_at",
        ]
    )  # fmt: skip
    EventCandidate.objects.filter(pk=attempt.entry_id).update(
        attendance=Attendance.PRESENT, updated_at=now
    )
    record_event(
        ExamsEvent.ATTEMPT_STARTED,
        actor=actor,
        subject=attempt,
        related=[session],
        actor_role="candidate",
        data={
            "seed": seed,
            "allotted_seconds": attempt.allotted_seconds,
            "extra_time_percent": attempt.extra_time_percent,
            "deadline": attempt.deadline_at,
        },
    )
    versions = [delivered_form(session.form).by_entry[e].item_version_id for e in order.item_order]
    transaction.on_commit(lambda: record_item_exposure(item_version_ids=versions, at=now))
    return attempt
