from django.db import models
from django.utils.translation import gettext_lazy as _


class ExamsEvent(models.TextChoices):
    EVENT_SCHEDULED = "exams.assessment_event.scheduled", _("An assessment event was scheduled")
    EVENT_HELD = "exams.assessment_event.held", _("An assessment event was recorded as held")
    EVENT_CANCELLED = "exams.assessment_event.cancelled", _("An assessment event was cancelled")
    PERSONNEL_ASSIGNED = (
        "exams.event_assignment.created",
        _("An examiner or invigilator was assigned to an assessment event"),
    )
    CANDIDATE_ADDED = (
        "exams.event_candidate.added",
        _("A candidate was booked on an assessment event"),
    )
    FIRST_MARK_RECORDED = (
        "exams.component_result.first_marked",
        _("An examiner recorded a result"),
    )
    SECOND_MARK_RECORDED = (
        "exams.component_result.second_marked",
        _("A second examiner marked a result"),
    )
    SECOND_MARK_REQUESTED = (
        "exams.component_result.second_mark_requested",
        _("A second marking of a result was requested"),
    )
    MARKS_RECONCILED = (
        "exams.component_result.reconciled",
        _("Differing marks were reconciled"),
    )
    RESULT_RELEASED = (
        "exams.component_result.released",
        _("A result was released to the candidate"),
    )
    ATTACHMENT_ADDED = (
        "exams.result_attachment.added",
        _("A file was attached to a result"),
    )
    # Online delivery ------------------------------------------------------------------------
    SESSION_SCHEDULED = (
        "exams.exam_session.scheduled",
        _("An online exam session was scheduled from an approved form"),
    )
    SESSION_PAUSED = "exams.exam_session.paused", _("The invigilator paused the whole session")
    SESSION_RESUMED = "exams.exam_session.resumed", _("The invigilator resumed the whole session")
    SESSION_ENDED = "exams.exam_session.ended", _("The exam session ended; attempts were scored")
    SESSION_RELEASED = (
        "exams.exam_session.released",
        _("The results of an exam session were released"),
    )
    SEAT_BOOKED = "exams.attempt.booked", _("A seat on an exam session was booked")
    ATTEMPT_REMINDED = "exams.attempt.reminded", _("The candidate was reminded of the session")
    ATTEMPT_CHECKED_IN = (
        "exams.attempt.checked_in",
        _("The candidate accepted the exam rules and the non-disclosure agreement"),
    )
    IDENTITY_CHECKED = (
        "exams.attempt.identity_checked",
        _("The invigilator checked the candidate's identity and applied the accommodations"),
    )
    START_RELEASED = "exams.attempt.start_released", _("The invigilator released the start")
    ATTEMPT_STARTED = "exams.attempt.started", _("The candidate started the exam; the clock runs")
    ATTEMPT_PAUSED = "exams.attempt.paused", _("The clock of an attempt stopped")
    ATTEMPT_RESUMED = "exams.attempt.resumed", _("The clock of an attempt runs again")
    TIME_ADDED = "exams.attempt.time_added", _("The invigilator added time to an attempt")
    ATTEMPT_SUBMITTED = "exams.attempt.submitted", _("The attempt was handed in")
    ATTEMPT_TIMED_OUT = "exams.attempt.timed_out", _("The attempt was closed at its deadline")
    ATTEMPT_ABSENT = "exams.attempt.absent", _("The candidate did not sit the session")
    ATTEMPT_SCORED = "exams.attempt.scored", _("An attempt was scored")
    ATTEMPT_RESCORED = "exams.attempt.rescored", _("An attempt was re-scored after key validation")
    ANSWER_REFUSED = "exams.attempt.answer_refused", _("An answer after the deadline was refused")
    INCIDENT_RECORDED = "exams.incident.recorded", _("An invigilator recorded an incident")
    RUBRIC_FIRST_MARK = (
        "exams.rubric_mark.first_marked",
        _("An examiner marked an extended response"),
    )
    RUBRIC_SECOND_MARK = (
        "exams.rubric_mark.second_marked",
        _("A second examiner marked an extended response"),
    )
    RUBRIC_ADJUDICATED = (
        "exams.rubric_mark.adjudicated",
        _("Differing marks of an extended response were adjudicated"),
    )
    KEYS_ANALYSED = "exams.key_review.analysed", _("The keys of a session were analysed")
    KEY_DECIDED = "exams.key_finding.decided", _("The psychometrician decided on an item's key")
    KEY_FINDING_ADDED = (
        "exams.key_finding.added",
        _("The psychometrician put an item under key review"),
    )
    KEYS_VALIDATED = (
        "exams.key_review.completed",
        _("Key validation completed; every candidate was re-scored"),
    )
