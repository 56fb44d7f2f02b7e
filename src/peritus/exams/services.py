"""Use cases of the assessment record (clauses 6.2, 9.2, 9.3; rules R13, R14).

Schedule an event, assign examiners and invigilators, book eligible candidates, record that the
sitting was held, let examiners declare their interests and then mark, second-mark and reconcile,
and let a certification officer release results to the candidates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.accounts.services import require_role
from peritus.applications.models import Application
from peritus.applications.selectors import is_eligible
from peritus.audit_trail.services import record_event
from peritus.exams.errors import (
    ExamsError,
    ExamsInputError,
    ExamsNotPermittedError,
    ImpartialityError,
)
from peritus.exams.events import ExamsEvent
from peritus.exams.models import (
    AssessmentEvent,
    AssignmentRole,
    Attendance,
    ComponentResult,
    Delivery,
    EventAssignment,
    EventCandidate,
    EventStatus,
    ResultAttachment,
    ResultStatus,
)
from peritus.exams.selectors import SETTLED_STATUSES
from peritus.impartiality.models import MitigationKind
from peritus.impartiality.refusals import audit_refusals
from peritus.impartiality.selectors import (
    get_approved_mitigation,
    has_approved_mitigation,
    has_declaration,
    has_unmitigated_conflict,
    trained_within,
)
from peritus.impartiality.services import record_declaration
from peritus.notifications.services import queue_notification
from peritus.schemes.models import AssessmentComponent, SchemeVersionStatus

CENT = Decimal("0.01")
DEFAULT_TOLERANCE_FRACTION = Decimal("0.10")  # two marks more than 10 % of the maximum apart
# File types a result may carry, recognised by their first bytes (never by the name or header).
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


def training_lookback_years() -> int:
    return int(getattr(settings, "PERITUS_TRAINING_LOOKBACK_YEARS", 2))


def max_attachment_bytes() -> int:
    return int(getattr(settings, "PERITUS_EXAMS_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))


def _score(value: Any, component: AssessmentComponent) -> Decimal:
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ExamsInputError("score_not_a_number", _("The score must be a number.")) from None
    if not score.is_finite() or score != score.quantize(CENT):
        raise ExamsInputError(
            "score_not_a_number", _("The score must be a number with at most two decimals.")
        )
    if not Decimal(0) <= score <= component.max_score:
        raise ExamsInputError(
            "score_out_of_range",
            _("The score must lie between 0 and %(max)s.") % {"max": component.max_score},
        )
    return score


def _event_label(event: AssessmentEvent) -> str:
    return f"{event.reference} · {event.component.name} · {timezone.localtime(event.starts_at):%Y-%m-%d}"


def _lock_event(event: AssessmentEvent) -> AssessmentEvent:
    return (
        AssessmentEvent.objects.select_for_update(of=("self",))
        .select_related("component", "scheme")
        .get(pk=event.pk)
    )


# Scheduling ----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def schedule_event(
    *,
    actor: User,
    component: AssessmentComponent,
    starts_at: dt.datetime,
    location: str,
    capacity: int,
    delivery: str = Delivery.IN_PERSON,
    duration_minutes: int | None = None,
    double_marking: bool = False,
    marking_tolerance: Decimal | None = None,
    notes: str = "",
    language: str | None = None,
) -> AssessmentEvent:
    """Schedule a sitting of one assessment component of a scheme version in use."""
    return create_event(
        actor=actor, component=component, starts_at=starts_at, location=location,
        capacity=capacity, delivery=delivery, duration_minutes=duration_minutes,
        double_marking=double_marking, marking_tolerance=marking_tolerance, notes=notes,
        language=language,
    )  # fmt: skip


def create_event(
    *,
    actor: User,
    component: AssessmentComponent,
    starts_at: dt.datetime,
    location: str,
    capacity: int,
    delivery: str = Delivery.IN_PERSON,
    duration_minutes: int | None = None,
    double_marking: bool = False,
    marking_tolerance: Decimal | None = None,
    notes: str = "",
    language: str | None = None,
) -> AssessmentEvent:
    """Building block of `schedule_event` (and of online sessions), inside the caller's transaction."""
    version = component.scheme_version
    require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=version.scheme_id)
    if version.status not in (SchemeVersionStatus.PUBLISHED, SchemeVersionStatus.RETIRED):
        raise ExamsError("version_not_in_use", _("Only a published scheme version is assessed."))
    if delivery not in Delivery.values:
        raise ExamsInputError("unknown_delivery", _("Choose in person or online."))
    if not location.strip():
        raise ExamsInputError(
            "location_required", _("Give the place, or how candidates join online.")
        )
    if capacity < 1:
        raise ExamsInputError("capacity_too_small", _("An event seats at least one candidate."))
    language = language or settings.LANGUAGE_CODE
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ExamsInputError("unknown_language", _("Choose one of the body's languages."))
    duration = duration_minutes or component.duration_minutes
    if not duration or duration < 1:
        raise ExamsInputError("duration_required", _("Give the duration in minutes."))
    tolerance = (
        marking_tolerance
        if marking_tolerance is not None
        else (component.max_score * DEFAULT_TOLERANCE_FRACTION).quantize(CENT)
    )
    if not Decimal(0) <= tolerance <= component.max_score:
        raise ExamsInputError(
            "tolerance_out_of_range",
            _("The marking tolerance lies between 0 and the maximum score."),
        )
    event = AssessmentEvent.objects.create(
        scheme_id=version.scheme_id, scheme_version=version, component=component,
        starts_at=starts_at, duration_minutes=duration, delivery=delivery,
        location=location.strip(), capacity=capacity, double_marking=double_marking,
        marking_tolerance=tolerance, notes=notes.strip(), scheduled_by=actor, language=language,
    )  # fmt: skip
    record_event(
        ExamsEvent.EVENT_SCHEDULED,
        actor=actor,
        subject=event,
        related=[component],
        data={
            "reference": event.reference,
            "starts_at": starts_at,
            "capacity": capacity,
            "language": language,
        },
    )
    return event


@audit_refusals("assign_personnel")
@transaction.atomic(durable=True)
def assign_personnel(
    *, actor: User, event: AssessmentEvent, user: User, role: str
) -> EventAssignment:
    """Assign an approved examiner, or an invigilator, to an event (6.2, R14)."""
    event = _lock_event(event)
    require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=event.scheme_id)
    if role not in AssignmentRole.values:
        raise ExamsInputError("unknown_role", _("Assign an examiner or an invigilator."))
    if event.status == EventStatus.CANCELLED:
        raise ExamsError("event_cancelled", _("The event is cancelled."))
    if role == AssignmentRole.INVIGILATOR and event.status != EventStatus.SCHEDULED:
        raise ExamsError("event_not_open", _("Invigilators are assigned before the sitting."))
    if role == AssignmentRole.EXAMINER and not has_role(
        user, RoleCode.EXAMINER, scheme_id=event.scheme_id
    ):
        raise ExamsError(
            "not_an_approved_examiner",
            _("%(name)s is not an approved examiner for this scheme.") % {"name": user},
        )
    if role == AssignmentRole.EXAMINER and not has_role(
        user, RoleCode.EXAMINER, scheme_id=event.scheme_id, language=event.language
    ):
        raise ExamsError(
            "not_approved_for_language",
            _("%(name)s is not approved to examine in %(language)s.")
            % {"name": user, "language": event.get_language_display()},
        )
    if role == AssignmentRole.INVIGILATOR and not has_role(
        user, RoleCode.INVIGILATOR, scheme_id=event.scheme_id
    ):
        raise ExamsError(
            "not_an_invigilator",
            _("%(name)s is not an invigilator for this scheme.") % {"name": user},
        )
    existing = EventAssignment.objects.filter(event=event, user=user).first()
    if existing is not None:
        raise ExamsError(
            "already_assigned",
            _("%(name)s is already assigned to this event as %(role)s.")
            % {"name": user, "role": existing.get_role_display().lower()},
        )
    if EventCandidate.objects.filter(event=event, application__person__user=user).exists():
        raise ImpartialityError(
            "own_assessment", _("Nobody examines or invigilates an event they sit themselves.")
        )
    assignment = EventAssignment.objects.create(
        event=event, user=user, role=role, assigned_by=actor
    )
    record_event(
        ExamsEvent.PERSONNEL_ASSIGNED,
        actor=actor,
        subject=assignment,
        related=[event, user],
        data={"role": role, "event_id": event.pk},
    )
    queue_notification(
        template="exams_personnel_assigned",
        recipient_email=user.email,
        recipient_user=user,
        subject=event,
        context={
            "name": user.given_names,
            "role": assignment.get_role_display(),
            "event": _event_label(event),
            "location": event.location,
            "starts_at": event.starts_at,
            "examiner": role == AssignmentRole.EXAMINER,
        },
    )
    return assignment


@audit_refusals("add_candidate")
@transaction.atomic(durable=True)
def add_candidate(
    *, actor: User, event: AssessmentEvent, application: Application
) -> EventCandidate:
    """Book an eligible application on an event: one seat per application (9.2)."""
    application = (
        Application.objects.select_for_update().select_related("person").get(pk=application.pk)
    )
    event = _lock_event(event)
    require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=event.scheme_id)
    if hasattr(event, "exam_session"):
        raise ExamsError(
            "online_session_seat",
            _("Seats on an online session are booked from the session's page."),
        )
    return create_entry(actor=actor, event=event, application=application)


def create_entry(
    *, actor: User, event: AssessmentEvent, application: Application, notify: bool = True
) -> EventCandidate:
    """Building block of `add_candidate` (and of seats on online sessions): the booking rules,
    the entry, its audit event and the notice. The caller locked `application` and `event`."""
    if event.status != EventStatus.SCHEDULED:
        raise ExamsError("event_not_open", _("Candidates are booked only on a scheduled event."))
    if application.scheme_version_id != event.scheme_version_id:
        raise ExamsError(
            "wrong_scheme_version",
            _("The application is under another scheme version than this event."),
        )
    if not is_eligible(application):
        raise ExamsError(
            "application_not_eligible",
            _("Only an application found eligible can be booked on an assessment."),
        )
    if EventCandidate.objects.filter(event=event, application=application).exists():
        raise ExamsError("already_on_event", _("This candidate is already on the event."))
    if EventCandidate.objects.filter(event=event).count() >= event.capacity:
        raise ExamsError("event_full", _("The event is full."))
    if ComponentResult.objects.filter(
        application=application, component=event.component, passed=True, status__in=SETTLED_STATUSES
    ).exists():
        raise ExamsError(
            "component_already_passed", _("The candidate has already passed this component.")
        )
    pending = (
        EventCandidate.objects.filter(
            application=application,
            event__component=event.component,
            event__status__in=[EventStatus.SCHEDULED, EventStatus.HELD],
        )
        .exclude(attendance=Attendance.ABSENT)
        .exclude(result__status__in=SETTLED_STATUSES)
    )
    if pending.exists():
        raise ExamsError(
            "already_booked",
            _("The candidate is already booked on another sitting of this component."),
        )
    person_user_id = application.person.user_id
    if (
        person_user_id is not None
        and EventAssignment.objects.filter(event=event, user_id=person_user_id).exists()
    ):
        raise ImpartialityError(
            "own_assessment", _("Nobody sits an event they examine or invigilate.")
        )
    entry = EventCandidate.objects.create(event=event, application=application, added_by=actor)
    record_event(
        ExamsEvent.CANDIDATE_ADDED,
        actor=actor,
        subject=entry,
        related=[event, application, application.person],
        data={"event_id": event.pk, "application": application.reference},
    )
    if notify and application.person.email:
        queue_notification(
            template="exams_candidate_booked",
            recipient_email=application.person.email,
            recipient_person=application.person,
            recipient_user=application.person.user,
            subject=event,
            context={
                "name": application.person.given_names,
                "component": event.component.name,
                "scheme": event.scheme.name,
                "starts_at": event.starts_at,
                "duration_minutes": event.duration_minutes,
                "location": event.location,
                "online": event.delivery == Delivery.ONLINE,
            },
        )
    return entry


@audit_refusals("record_event_held")
@transaction.atomic(durable=True)
def record_event_held(
    *, actor: User, event: AssessmentEvent, absent: Iterable[EventCandidate] = ()
) -> AssessmentEvent:
    """The sitting took place: record who attended. Marking may begin (9.3.2)."""
    event = _lock_event(event)
    if hasattr(event, "exam_session"):
        raise ExamsError(
            "online_session", _("An online session ends from its invigilation console.")
        )
    invigilating = EventAssignment.objects.filter(
        event=event, user=actor, role=AssignmentRole.INVIGILATOR
    ).exists()
    if invigilating:
        require_role(actor, RoleCode.INVIGILATOR, scheme_id=event.scheme_id)
        _check_invigilator(actor, event)
    else:
        require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=event.scheme_id)
    if event.starts_at > timezone.now():
        raise ExamsError("event_not_started", _("The sitting has not started yet."))
    if not can_proceed(event.hold):
        raise ExamsError(
            "event_not_scheduled", _("Only a scheduled event can be recorded as held.")
        )
    absent_ids = {entry.pk for entry in absent}
    entries = EventCandidate.objects.filter(event=event)
    if absent_ids - set(entries.values_list("pk", flat=True)):
        raise ExamsInputError("unknown_candidate", _("That candidate is not on this event."))
    entries.filter(pk__in=absent_ids).update(
        attendance=Attendance.ABSENT, updated_at=timezone.now()
    )
    entries.exclude(pk__in=absent_ids).update(
        attendance=Attendance.PRESENT, updated_at=timezone.now()
    )
    event.hold()
    event.held_at = timezone.now()
    event.save(update_fields=["status", "held_at", "updated_at"])
    record_event(
        ExamsEvent.EVENT_HELD,
        actor=actor,
        subject=event,
        actor_role=AssignmentRole.INVIGILATOR if invigilating else RoleCode.CERTIFICATION_OFFICER,
        data={"absent_entry_ids": sorted(absent_ids), "present": entries.count() - len(absent_ids)},
    )
    return event


@transaction.atomic(durable=True)
def cancel_event(*, actor: User, event: AssessmentEvent, reason: str) -> AssessmentEvent:
    """Cancel a scheduled event; its candidates are told and may be booked elsewhere."""
    event = _lock_event(event)
    require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=event.scheme_id)
    if not reason.strip():
        raise ExamsInputError("reason_required", _("Give the reason for cancelling."))
    if not can_proceed(event.cancel):
        raise ExamsError("event_not_scheduled", _("Only a scheduled event can be cancelled."))
    event.cancel()
    event.cancelled_at = timezone.now()
    event.cancellation_reason = reason.strip()
    event.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
    record_event(ExamsEvent.EVENT_CANCELLED, actor=actor, subject=event, reason=reason.strip())
    for entry in EventCandidate.objects.filter(event=event).select_related("application__person"):
        person = entry.application.person
        if person.email:
            queue_notification(
                template="exams_event_cancelled",
                recipient_email=person.email,
                recipient_person=person,
                recipient_user=person.user,
                subject=event,
                context={
                    "name": person.given_names,
                    "component": event.component.name,
                    "starts_at": event.starts_at,
                    "reason": event.cancellation_reason,
                },
            )
    return event


# Declarations of interests (R13) ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CandidateDeclaration:
    """What an examiner declares about one candidate on an event."""

    entry: EventCandidate
    has_conflict: bool
    nature: str = ""
    details: str = ""


@audit_refusals("declare_event_interests")
@transaction.atomic(durable=True)
def declare_event_interests(
    *, actor: User, event: AssessmentEvent, declarations: Sequence[CandidateDeclaration]
) -> list[Any]:
    """An assigned examiner (or invigilator) declares, per candidate, whether they have an interest.

    All or nothing: one transaction for the whole screen.
    """
    assignment = EventAssignment.objects.filter(event=event, user=actor).first()
    if assignment is None:
        raise ExamsNotPermittedError(
            "not_assigned", _("Only the personnel assigned to the event declare for it.")
        )
    require_role(actor, assignment.role, scheme_id=event.scheme_id)
    if not declarations:
        raise ExamsInputError("nothing_declared", _("Declare for at least one candidate."))
    entry_ids = set(EventCandidate.objects.filter(event=event).values_list("pk", flat=True))
    label = _event_label(event)
    recorded = []
    for declaration in declarations:
        if declaration.entry.pk not in entry_ids:
            raise ExamsInputError("unknown_candidate", _("That candidate is not on this event."))
        recorded.append(
            record_declaration(
                actor=actor,
                person=declaration.entry.application.person,
                has_conflict=declaration.has_conflict,
                nature=declaration.nature,
                details=declaration.details,
                context=event,
                context_label=label,
                training_lookback_years=training_lookback_years(),
            )
        )
    return recorded


# Marking ----------------------------------------------------------------------------------------------


def list_undeclared_entries(event: AssessmentEvent, user: Any) -> list[EventCandidate]:
    """Candidates on the event the user has not yet declared about (R13)."""
    entries = EventCandidate.objects.filter(event=event).select_related("application__person")
    return [
        entry
        for entry in entries
        if not has_declaration(user, entry.application.person_id, context=event)
    ]


def _check_invigilator(actor: Any, event: AssessmentEvent) -> None:
    """An invigilator acts on a session only after declaring, and free of conflicts (R13)."""
    if list_undeclared_entries(event, actor):
        raise ImpartialityError(
            "declaration_required",
            _("Declare your interests for every candidate on this event before you record it."),
        )
    for person_id in EventCandidate.objects.filter(event=event).values_list(
        "application__person_id", flat=True
    ):
        if has_unmitigated_conflict(actor, person_id, context=event):
            raise ImpartialityError(
                "conflict_of_interest",
                _(
                    "You declared a conflict with a candidate of this session: another "
                    "invigilator or an officer records it, unless a measure is approved."
                ),
            )


def _check_marker(actor: Any, event: AssessmentEvent) -> None:
    """The event-wide part: an assigned examiner, in role, who declared for every candidate."""
    assignment = EventAssignment.objects.filter(event=event, user_id=actor.pk).first()
    if assignment is None:
        raise ExamsNotPermittedError(
            "not_assigned", _("Only an examiner assigned to the event records its results.")
        )
    if assignment.role == AssignmentRole.INVIGILATOR:
        raise ImpartialityError(
            "invigilator_cannot_score",
            _("An invigilator supervises the sitting and never scores it (ISO/IEC 17024, 6.2)."),
        )
    require_role(actor, RoleCode.EXAMINER, scheme_id=event.scheme_id, language=event.language)
    undeclared = list_undeclared_entries(event, actor)
    if undeclared:
        raise ImpartialityError(
            "declaration_required",
            _(
                "Declare your interests for every candidate on this event before you record "
                "anything (%(count)s not declared)."
            )
            % {"count": len(undeclared)},
        )


def _check_candidate(actor: Any, event: AssessmentEvent, person_id: int) -> None:
    """The candidate's part: no unmitigated conflict, no recent training (R13, R15)."""
    if has_unmitigated_conflict(actor, person_id, context=event):
        raise ImpartialityError(
            "conflict_of_interest",
            _(
                "You declared a conflict of interest with this candidate: you are withdrawn "
                "from them unless another person approves a mitigation."
            ),
        )
    if trained_within(actor, person_id, years=training_lookback_years()) and not (
        has_approved_mitigation(actor, person_id, context=event)
    ):
        raise ImpartialityError(
            "trained_candidate",
            _("You trained this candidate recently: another examiner marks them."),
        )


def check_may_mark(actor: Any, entry: EventCandidate) -> None:
    """Raise unless `actor` may record a mark for this candidate on this event (R13, R14)."""
    _check_marker(actor, entry.event)
    _check_candidate(actor, entry.event, entry.application.person_id)


def marking_blocks(
    user: Any, event: AssessmentEvent, entries: Iterable[EventCandidate]
) -> dict[int, str]:
    """For the examiner's screens: why `user` may not mark each candidate (absent: they may).

    The same check the marking services make, so a page never offers what a service refuses.
    """
    entries = list(entries)
    refusals = (ImpartialityError, ExamsNotPermittedError, RoleNotHeldError)
    try:
        _check_marker(user, event)
    except refusals as error:
        return {entry.pk: error.code for entry in entries}
    blocks: dict[int, str] = {}
    for entry in entries:
        try:
            _check_candidate(user, event, entry.application.person_id)
        except refusals as error:
            blocks[entry.pk] = error.code
    return blocks


def _lock_entry(entry: EventCandidate) -> EventCandidate:
    return (
        EventCandidate.objects.select_for_update(of=("self",))
        .select_related("event__component", "application__person")
        .get(pk=entry.pk)
    )


def _lock_result(result: ComponentResult) -> ComponentResult:
    return (
        ComponentResult.objects.select_for_update(of=("self",))
        .select_related(
            "entry__application__person", "entry__event", "event__component", "component"
        )
        .get(pk=result.pk)
    )


def _settle(result: ComponentResult, score: Decimal) -> None:
    result.score = score
    result.passed = score >= result.component.pass_mark


@audit_refusals("record_first_mark")
@transaction.atomic(durable=True)
def record_first_mark(
    *,
    actor: User,
    entry: EventCandidate,
    score: Any,
    rubric_notes: str = "",
    feedback: str = "",
) -> ComponentResult:
    """The first examiner records the candidate's score, notes and feedback."""
    entry = _lock_entry(entry)
    event = entry.event
    check_may_mark(actor, entry)
    if hasattr(event, "exam_session"):
        raise ExamsError(
            "online_session",
            _("Results of an online session come from its scoring and key validation."),
        )
    if event.status != EventStatus.HELD:
        raise ExamsError("event_not_held", _("Results are recorded once the sitting is held."))
    if entry.attendance == Attendance.ABSENT:
        raise ExamsError("candidate_absent", _("The candidate did not attend."))
    if ComponentResult.objects.filter(entry=entry).exists():
        raise ExamsError("already_marked", _("A result is already recorded for this candidate."))
    value = _score(score, event.component)
    mitigation = get_approved_mitigation(actor, entry.application.person_id, context=event)
    second_required = event.double_marking or (
        mitigation is not None and mitigation.kind == MitigationKind.SECOND_EXAMINER
    )
    result = ComponentResult(
        entry=entry, application_id=entry.application_id, component=event.component, event=event,
        status=ResultStatus.AWAITING_SECOND_MARK if second_required else ResultStatus.FINAL,
        first_marker=actor, first_score=value, first_marked_at=timezone.now(),
        rubric_notes=rubric_notes.strip(), feedback=feedback.strip(),
        second_marking_required=second_required,
    )  # fmt: skip
    if not second_required:
        _settle(result, value)
    result.save()
    record_event(
        ExamsEvent.FIRST_MARK_RECORDED,
        actor=actor,
        subject=result,
        related=[event, entry.application],
        actor_role=RoleCode.EXAMINER,
        data={"status": result.status, "second_marking_required": second_required},
    )
    return result


@audit_refusals("record_second_mark")
@transaction.atomic(durable=True)
def record_second_mark(
    *, actor: User, result: ComponentResult, score: Any, notes: str = ""
) -> ComponentResult:
    """An independent second examiner marks; within the tolerance the marks are averaged,
    beyond it they must be reconciled."""
    result = _lock_result(result)
    if result.first_marker_id == actor.pk:
        raise ImpartialityError(
            "same_marker", _("The second mark comes from another examiner than the first.")
        )
    check_may_mark(actor, result.entry)
    if result.status != ResultStatus.AWAITING_SECOND_MARK:
        raise ExamsError(
            "not_awaiting_second_mark", _("This result is not waiting for a second mark.")
        )
    value = _score(score, result.component)
    result.second_marker = actor
    result.second_score = value
    result.second_marked_at = timezone.now()
    result.second_notes = notes.strip()
    if result.marks_differ_beyond(result.event.marking_tolerance):
        result.disagree()
    else:
        result.agree()
        mean = ((result.first_score + value) / 2).quantize(CENT, rounding=ROUND_HALF_UP)
        _settle(result, mean)
    result.save(
        update_fields=["status", "second_marker", "second_score", "second_marked_at",
                       "second_notes", "score", "passed", "updated_at"]
    )  # fmt: skip
    record_event(
        ExamsEvent.SECOND_MARK_RECORDED,
        actor=actor,
        subject=result,
        related=[result.event, result.application],
        actor_role=RoleCode.EXAMINER,
        data={"status": result.status},
    )
    return result


@audit_refusals("reconcile_marks")
@transaction.atomic(durable=True)
def reconcile_marks(
    *, actor: User, result: ComponentResult, score: Any, notes: str
) -> ComponentResult:
    """An assigned examiner without a conflict records the agreed score and why."""
    result = _lock_result(result)
    check_may_mark(actor, result.entry)
    if result.status != ResultStatus.AWAITING_RECONCILIATION:
        raise ExamsError(
            "not_awaiting_reconciliation", _("This result has no differing marks to reconcile.")
        )
    if not notes.strip():
        raise ExamsInputError(
            "reasons_required", _("Record how the differing marks were reconciled.")
        )
    value = _score(score, result.component)
    result.reconcile()
    result.reconciled_by = actor
    result.reconciled_at = timezone.now()
    result.reconciliation_notes = notes.strip()
    _settle(result, value)
    result.save(
        update_fields=["status", "reconciled_by", "reconciled_at", "reconciliation_notes",
                       "score", "passed", "updated_at"]
    )  # fmt: skip
    record_event(
        ExamsEvent.MARKS_RECONCILED,
        actor=actor,
        subject=result,
        related=[result.event, result.application],
        actor_role=RoleCode.EXAMINER,
        reason=result.reconciliation_notes,
        data={"status": result.status},
    )
    return result


@transaction.atomic(durable=True)
def request_second_mark(*, actor: User, result: ComponentResult, reason: str) -> ComponentResult:
    """Before release, an officer or the first marker asks for an independent second mark."""
    result = _lock_result(result)
    if result.first_marker_id == actor.pk:
        require_role(actor, RoleCode.EXAMINER, scheme_id=result.event.scheme_id)
    else:
        require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=result.event.scheme_id)
    if not reason.strip():
        raise ExamsInputError("reason_required", _("Say why a second mark is needed."))
    if result.second_score is not None:
        raise ExamsError("already_second_marked", _("This result was already marked twice."))
    if not can_proceed(result.require_second_mark):
        raise ExamsError(
            "not_final", _("Only a final result that is not released can be re-marked.")
        )
    result.require_second_mark()
    result.second_marking_required = True
    result.score = None
    result.passed = None
    result.save(
        update_fields=["status", "second_marking_required", "score", "passed", "updated_at"]
    )
    record_event(
        ExamsEvent.SECOND_MARK_REQUESTED,
        actor=actor,
        subject=result,
        related=[result.event, result.application],
        reason=reason.strip(),
    )
    return result


# Release ----------------------------------------------------------------------------------------------


def _release(actor: User, result: ComponentResult, now: dt.datetime) -> None:
    result.release()
    result.released_at = now
    result.released_by = actor
    result.save(update_fields=["status", "released_at", "released_by", "updated_at"])
    record_event(
        ExamsEvent.RESULT_RELEASED,
        actor=actor,
        subject=result,
        related=[result.event, result.application],
        actor_role=RoleCode.CERTIFICATION_OFFICER,
        data={"component": result.component.code, "event_id": result.event_id},
    )


def _notify_release(results: Sequence[ComponentResult]) -> None:
    by_application: dict[int, list[ComponentResult]] = {}
    for result in results:
        by_application.setdefault(result.application_id, []).append(result)
    for application_results in by_application.values():
        person = application_results[0].application.person
        if not person.email:
            continue
        queue_notification(
            template="exams_results_released",
            recipient_email=person.email,
            recipient_person=person,
            recipient_user=person.user,
            subject=application_results[0].application,
            context={
                "name": person.given_names,
                "scheme": application_results[0].application.scheme.name,
                "components": [result.component.name for result in application_results],
            },
        )


@transaction.atomic(durable=True)
def release_result(*, actor: User, result: ComponentResult) -> ComponentResult:
    """A certification officer releases one final result to the candidate (audited, notified)."""
    result = _lock_result(result)
    require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=result.event.scheme_id)
    if not can_proceed(result.release):
        raise ExamsError("not_final", _("Only a final result can be released."))
    _release(actor, result, timezone.now())
    _notify_release([result])
    return result


@transaction.atomic(durable=True)
def release_event_results(*, actor: User, event: AssessmentEvent) -> list[ComponentResult]:
    """Release every final result of an event at once; each candidate gets one notice."""
    event = _lock_event(event)
    require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=event.scheme_id)
    results = list(
        ComponentResult.objects.select_for_update(of=("self",))
        .filter(event=event, status=ResultStatus.FINAL)
        .select_related("component", "application__person__user", "application__scheme")
        .order_by("pk")
    )
    if not results:
        raise ExamsError("nothing_to_release", _("No final result is waiting for release."))
    now = timezone.now()
    for result in results:
        _release(actor, result, now)
    _notify_release(results)
    return results


# Attachments ------------------------------------------------------------------------------------------


def _sniff(head: bytes) -> str | None:
    for content_type, signatures in ATTACHMENT_SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    return None


@audit_refusals("add_attachment")
@transaction.atomic(durable=True)
def add_attachment(
    *, actor: User, result: ComponentResult, upload: File[Any], description: str = ""
) -> ResultAttachment:
    """Attach a marked script, observation form or similar (PDF, PNG, JPEG) to a result."""
    result = _lock_result(result)
    check_may_mark(actor, result.entry)
    if result.status == ResultStatus.RELEASED:
        raise ExamsError("result_released", _("A released result no longer changes."))
    size = upload.size or 0
    if size == 0:
        raise ExamsInputError("empty_file", _("The file is empty."))
    if size > max_attachment_bytes():
        raise ExamsInputError(
            "file_too_large",
            _("The file is larger than %(mb)s MB.") % {"mb": max_attachment_bytes() // 1024**2},
        )
    upload.seek(0)
    content = upload.read()
    content_type = _sniff(content[:16])
    if content_type is None:
        raise ExamsInputError("file_type_not_allowed", _("Attach a PDF, PNG or JPEG file."))
    original_name = (getattr(upload, "name", "") or "attachment").rsplit("/", 1)[-1][:200]
    attachment = ResultAttachment(
        result=result, original_name=original_name, description=description.strip()[:200],
        content_type=content_type, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )  # fmt: skip
    attachment.file.save(original_name, ContentFile(content), save=False)
    attachment.save()
    record_event(
        ExamsEvent.ATTACHMENT_ADDED,
        actor=actor,
        subject=attachment,
        related=[result],
        data={"sha256": attachment.sha256, "size": attachment.size},
    )
    return attachment
