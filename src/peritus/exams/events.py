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
