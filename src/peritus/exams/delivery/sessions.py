"""Exam sessions and their seats: schedule, book, remind, pause the room, end (9.2, 9.3.2, R18).

Use-case services: keyword-only arguments, an actor, one transaction, the rule check first, then
the change, the audit event and the notice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.applications.models import Application
from peritus.audit_trail.services import record_event
from peritus.exams.delivery import conf
from peritus.exams.delivery.grading import score_session
from peritus.exams.delivery.timing import record_clock_event
from peritus.exams.errors import ExamsError, ExamsInputError, ExamsNotPermittedError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import (
    OPEN_ATTEMPT_STATUSES,
    AssessmentEvent,
    Attempt,
    AttemptStatus,
    Attendance,
    ClockEvent,
    ClockEventKind,
    Delivery,
    EventCandidate,
    EventStatus,
    ExamSession,
    SessionStatus,
    StopReason,
)
from peritus.exams.services import _check_invigilator, _lock_event, create_entry, create_event
from peritus.impartiality.refusals import audit_refusals
from peritus.itembank.models import ExamForm, FormStatus
from peritus.itembank.statistics.selectors import has_approved_cut_score, is_released
from peritus.notifications.services import queue_notification
from peritus.schemes.models import AssessmentComponent, AssessmentComponentKind

RULES_VERSION = "2026.1"


def default_rules_text() -> str:
    """The exam rules and non-disclosure agreement candidates accept at check-in (7.4, R17)."""
    return "\n\n".join(
        [
            _(
                "Exam rules. Sit the exam alone, in the room or on the connection the "
                "invigilator approved. Keep identity papers at hand. Use no notes, books, "
                "devices, websites or help from anyone unless the exam allows them. Follow the "
                "invigilator's instructions; they may pause you or the session and record what "
                "they see."
            ),
            _(
                "Non-disclosure. The exam content is confidential and the property of the "
                "certification body. I will not copy, record, share or discuss any question or "
                "answer with anyone, during or after the exam. A breach may void my result and "
                "my certification."
            ),
            _(
                "Time. The server keeps the time. Answers are saved as you give them; after the "
                "deadline no answer is taken, and the exam closes by itself."
            ),
        ]
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def lock_session(session: ExamSession) -> ExamSession:
    return (
        ExamSession.objects.select_for_update(of=("self",))
        .select_related("event__component", "event__scheme", "form__blueprint")
        .get(pk=session.pk)
    )


def require_invigilator(actor: Any, session: ExamSession) -> None:
    """Assigned to the session as invigilator, in role, declared and free of conflicts (R13)."""
    event = session.event
    assigned = event.assignments.filter(user_id=actor.pk, role="invigilator").exists()
    if not assigned:
        raise ExamsNotPermittedError(
            "not_invigilating", _("Only an invigilator assigned to this session does this.")
        )
    require_role(actor, RoleCode.INVIGILATOR, scheme_id=event.scheme_id)
    _check_invigilator(actor, event)


# Scheduling -------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def schedule_session(
    *,
    actor: User,
    component: AssessmentComponent,
    form: ExamForm,
    starts_at: dt.datetime,
    location: str,
    capacity: int,
    duration_minutes: int | None = None,
    booking_closes_at: dt.datetime | None = None,
    late_start_minutes: int = 30,
    shuffle_items: bool = True,
    shuffle_options: bool = True,
    double_marking: bool = False,
    rules_text: str = "",
    notes: str = "",
) -> ExamSession:
    """Schedule an online session of an exam component from one of its approved forms (R18)."""
    require_role(
        actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=component.scheme_version.scheme_id
    )
    form = ExamForm.objects.select_related("blueprint").get(pk=form.pk)
    if component.kind != AssessmentComponentKind.EXAM:
        raise ExamsError(
            "not_an_exam_component",
            _("Only a component examined from the item bank is delivered online."),
        )
    if form.status != FormStatus.APPROVED:
        raise ExamsError("form_not_approved", _("Only an approved (frozen) form goes live."))
    if form.blueprint.component_id != component.pk:
        raise ExamsError("form_of_another_component", _("The form belongs to another component."))
    if not has_approved_cut_score(form):
        raise ExamsError(
            "cut_score_not_approved",
            _("The form has no approved cut score yet; it cannot go live (R18)."),
        )
    if not is_released(form):
        raise ExamsError(
            "form_not_released",
            _("The psychometrician has not released this form for live sittings yet."),
        )
    if not 0 <= late_start_minutes <= 240:
        raise ExamsInputError("late_start_out_of_range", _("Allow 0 to 240 minutes to start."))
    closes = booking_closes_at or starts_at - dt.timedelta(hours=24)
    if closes > starts_at:
        raise ExamsInputError("booking_after_start", _("Booking closes before the session starts."))
    text = (rules_text or default_rules_text()).strip()
    event = create_event(
        actor=actor, component=component, starts_at=starts_at, location=location,
        capacity=capacity, delivery=Delivery.ONLINE,
        duration_minutes=duration_minutes or form.blueprint.time_limit_minutes,
        double_marking=double_marking, notes=notes,
    )  # fmt: skip
    session = ExamSession.objects.create(
        event=event, form=form, booking_closes_at=closes, late_start_minutes=late_start_minutes,
        shuffle_items=shuffle_items, shuffle_options=shuffle_options,
        rules_version=RULES_VERSION if not rules_text else timezone.now().strftime("%Y%m%d%H%M"),
        rules_text=text, rules_sha256=_sha256(text),
    )  # fmt: skip
    record_event(
        ExamsEvent.SESSION_SCHEDULED,
        actor=actor,
        subject=session,
        related=[event, form, component],
        data={"form": form.code, "starts_at": starts_at, "rules_version": session.rules_version},
    )
    return session


# Seats ------------------------------------------------------------------------------------------


@audit_refusals("book_seat")
@transaction.atomic(durable=True)
def book_seat(
    *, actor: User, session: ExamSession, application: Application, now: dt.datetime | None = None
) -> Attempt:
    """A candidate books a seat for their eligible application, or an officer assigns one."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("person__user", "scheme")
        .get(pk=application.pk)
    )
    event = _lock_event(session.event)
    session = lock_session(session)
    person_user = application.person.user
    officer = actor.pk != getattr(person_user, "pk", None)
    if officer:
        require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=event.scheme_id)
    if person_user is None:
        raise ExamsError(
            "candidate_has_no_account",
            _("The candidate needs an account to sit an online exam."),
        )
    if session.status != SessionStatus.SCHEDULED:
        raise ExamsError("session_not_open", _("This session takes no more bookings."))
    now = now or timezone.now()
    if not officer and now > session.booking_closes_at:
        raise ExamsError("booking_closed", _("Booking for this session has closed."))
    if now > start_window_closes(session):
        raise ExamsError("session_started", _("The time to start this session has passed."))
    entry = create_entry(actor=actor, event=event, application=application, notify=False)
    attempt = Attempt.objects.create(
        session=session, entry=entry, candidate=person_user, booked_by=actor
    )
    record_event(
        ExamsEvent.SEAT_BOOKED,
        actor=actor,
        subject=attempt,
        related=[session, application, application.person],
        actor_role=RoleCode.CERTIFICATION_OFFICER if officer else "candidate",
        data={"reference": attempt.reference, "assigned": officer},
    )
    _notify(attempt, "exams_seat_booked")
    return attempt


def _notify(attempt: Attempt, template: str) -> None:
    person = attempt.entry.application.person
    if not person.email:
        return
    event = attempt.session.event
    queue_notification(
        template=template,
        recipient_email=person.email,
        recipient_person=person,
        recipient_user=attempt.candidate,
        subject=attempt,
        context={
            "name": person.given_names,
            "component": event.component.name,
            "scheme": event.scheme.name,
            "starts_at": event.starts_at,
            "duration_minutes": event.duration_minutes,
            "location": event.location,
            "reference": attempt.reference,
            "path": reverse("exams:attempt", kwargs={"reference": attempt.reference}),
            "check_in_minutes": int(conf.check_in_opens_before().total_seconds() // 60),
        },
    )


def list_reminders_due(now: dt.datetime) -> list[int]:
    """Seats whose session starts within the reminder window and were not reminded yet."""
    return list(
        Attempt.objects.filter(
            status__in=[AttemptStatus.BOOKED, AttemptStatus.CHECKED_IN],
            reminder_sent_at__isnull=True,
            session__status=SessionStatus.SCHEDULED,
            session__event__starts_at__gt=now,
            session__event__starts_at__lte=now + conf.reminder_before(),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic(durable=True)
def send_session_reminders(*, now: dt.datetime) -> int:
    """Remind each booked candidate once, the day before (a job; idempotent)."""
    sent = 0
    for attempt in (
        Attempt.objects.select_for_update(of=("self",))
        .filter(pk__in=list_reminders_due(now), reminder_sent_at__isnull=True)
        .select_related(
            "entry__application__person", "candidate", "session__event__component",
            "session__event__scheme",
        )
        .order_by("pk")
    ):  # fmt: skip
        attempt.reminder_sent_at = now
        attempt.save(update_fields=["reminder_sent_at", "updated_at"])
        _notify(attempt, "exams_session_reminder")
        record_event(
            ExamsEvent.ATTEMPT_REMINDED, actor=None, subject=attempt,
            data={"starts_at": attempt.session.event.starts_at},
        )  # fmt: skip
        sent += 1
    return sent


# The room --------------------------------------------------------------------------------------


def _open_attempts(session: ExamSession) -> list[Attempt]:
    return list(
        Attempt.objects.select_for_update(of=("self",))
        .filter(session=session, status__in=OPEN_ATTEMPT_STATUSES)
        .select_related("session__event")
        .order_by("pk")
    )


@audit_refusals("pause_session")
@transaction.atomic(durable=True)
def pause_session(
    *, actor: User, session: ExamSession, note: str = "", now: dt.datetime | None = None
) -> ExamSession:
    """Stop the clock of everyone in the session (a fire alarm, a network failure)."""
    session = lock_session(session)
    require_invigilator(actor, session)
    if session.status != SessionStatus.SCHEDULED:
        raise ExamsError("session_not_running", _("The session is over."))
    if session.room_paused_at is not None:
        raise ExamsError("session_already_paused", _("The session is already paused."))
    now = now or timezone.now()
    paused = []
    for attempt in _open_attempts(session):
        state = record_clock_event(
            attempt, ClockEventKind.STOP, at=now, actor=actor, reason=StopReason.ROOM, note=note
        )
        if state.expired:
            continue  # the closing job takes it
        if attempt.status == AttemptStatus.IN_PROGRESS:
            attempt.pause()
        attempt.save(update_fields=["status", "deadline_at", "updated_at"])
        paused.append(attempt.reference)
    session.room_paused_at = now
    session.save(update_fields=["room_paused_at", "updated_at"])
    record_event(
        ExamsEvent.SESSION_PAUSED, actor=actor, subject=session, reason=note.strip(),
        actor_role=RoleCode.INVIGILATOR, data={"attempts": paused},
    )  # fmt: skip
    return session


@audit_refusals("resume_session")
@transaction.atomic(durable=True)
def resume_session(
    *, actor: User, session: ExamSession, now: dt.datetime | None = None
) -> ExamSession:
    """Run everyone's clock again; the paused time is credited to each of them."""
    session = lock_session(session)
    require_invigilator(actor, session)
    if session.room_paused_at is None:
        raise ExamsError("session_not_paused", _("The session is not paused."))
    now = now or timezone.now()
    resumed = []
    for attempt in _open_attempts(session):
        open_stop = (
            ClockEvent.objects.filter(attempt=attempt, reason=StopReason.ROOM)
            .order_by("-at", "-pk")
            .values_list("kind", flat=True)
            .first()
        )
        if open_stop != ClockEventKind.STOP:
            continue  # started while paused is refused, so this attempt was not in the room
        state = record_clock_event(
            attempt, ClockEventKind.RESUME, at=now, actor=actor, reason=StopReason.ROOM
        )
        if not state.stopped_by and attempt.status == AttemptStatus.PAUSED:
            attempt.resume()
        attempt.save(update_fields=["status", "deadline_at", "updated_at"])
        resumed.append(attempt.reference)
    paused_for = now - session.room_paused_at
    session.room_paused_at = None
    session.save(update_fields=["room_paused_at", "updated_at"])
    record_event(
        ExamsEvent.SESSION_RESUMED, actor=actor, subject=session, actor_role=RoleCode.INVIGILATOR,
        data={"attempts": resumed, "paused_seconds": int(paused_for.total_seconds())},
    )  # fmt: skip
    return session


# Ending ----------------------------------------------------------------------------------------


def start_window_closes(session: ExamSession) -> dt.datetime:
    return session.event.starts_at + dt.timedelta(minutes=session.late_start_minutes)


def _end(session: ExamSession, *, actor: User | None, now: dt.datetime) -> ExamSession:
    event: AssessmentEvent = _lock_event(session.event)
    if Attempt.objects.filter(session=session, status__in=OPEN_ATTEMPT_STATUSES).exists():
        raise ExamsError(
            "attempts_still_open",
            _("Some candidates are still sitting or paused: resume or end their attempts first."),
        )
    if not can_proceed(session.end):
        raise ExamsError("session_not_running", _("The session has already ended."))
    absent = list(
        Attempt.objects.select_for_update(of=("self",))
        .filter(session=session, status__in=[AttemptStatus.BOOKED, AttemptStatus.CHECKED_IN])
        .order_by("pk")
    )
    for attempt in absent:
        attempt.mark_absent()
        attempt.save(update_fields=["status", "updated_at"])
        record_event(
            ExamsEvent.ATTEMPT_ABSENT, actor=actor, subject=attempt, related=[session],
            data={"reference": attempt.reference},
        )  # fmt: skip
    EventCandidate.objects.filter(pk__in=[a.entry_id for a in absent]).update(
        attendance=Attendance.ABSENT, updated_at=now
    )
    session.end()
    session.ended_at = now
    session.ended_by = actor
    session.room_paused_at = None
    session.save(update_fields=["status", "ended_at", "ended_by", "room_paused_at", "updated_at"])
    if event.status == EventStatus.SCHEDULED:
        event.hold()
        event.held_at = now
        event.save(update_fields=["status", "held_at", "updated_at"])
    scored = score_session(session, actor=actor, now=now)
    record_event(
        ExamsEvent.SESSION_ENDED, actor=actor, subject=session, related=[event],
        actor_role=RoleCode.INVIGILATOR if actor is not None else "",
        data={"absent": len(absent), "scored": scored},
    )  # fmt: skip
    return session


@audit_refusals("end_session")
@transaction.atomic(durable=True)
def end_session(
    *, actor: User, session: ExamSession, now: dt.datetime | None = None
) -> ExamSession:
    """The invigilator ends the session: nobody still sits; who never started is absent."""
    now = now or timezone.now()
    session = lock_session(session)
    if session.event.assignments.filter(user_id=actor.pk, role="invigilator").exists():
        require_invigilator(actor, session)
    else:
        require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=session.event.scheme_id)
    return _end(session, actor=actor, now=now)


def list_sessions_to_end(now: dt.datetime) -> list[int]:
    """Scheduled sessions past their start window with nobody sitting (for the job)."""
    candidates = ExamSession.objects.filter(status=SessionStatus.SCHEDULED).select_related("event")
    return [
        session.pk
        for session in candidates.order_by("pk")
        if now >= start_window_closes(session)
        and not Attempt.objects.filter(session=session, status__in=OPEN_ATTEMPT_STATUSES).exists()
    ]


@transaction.atomic(durable=True)
def end_finished_session(*, session: ExamSession, now: dt.datetime) -> ExamSession | None:
    """The job's door: end a session nobody can still sit (idempotent; None when not due)."""
    session = lock_session(session)
    if session.status != SessionStatus.SCHEDULED or now < start_window_closes(session):
        return None
    if Attempt.objects.filter(session=session, status__in=OPEN_ATTEMPT_STATUSES).exists():
        return None
    return _end(session, actor=None, now=now)


def seats_taken(session: ExamSession) -> int:
    return Attempt.objects.filter(session=session).count()
