"""The record of assessments (ISO/IEC 17024 clauses 9.2, 9.3): events, the personnel assigned to
them, the candidates on them, and the result of each candidate on the event's component.

This is the record every kind of assessment (written, practical, oral, portfolio) leaves behind;
online delivery from the item bank (`delivery.py`) feeds it.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any, override

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from peritus.core.models import TimeStampedModel
from peritus.core.references import random_reference


def new_event_reference() -> str:
    """A public reference such as E-7KQ2M9 (never the primary key)."""
    return random_reference("E-", 6)


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class AssessmentEvent(FSMModelMixin, TimeStampedModel):
    """One sitting of one assessment component: when, where, who examines, who sits it."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_event_reference
    )
    scheme = models.ForeignKey(
        "schemes.Scheme", on_delete=models.PROTECT, related_name="assessment_events"
    )
    scheme_version = models.ForeignKey(
        "schemes.SchemeVersion", on_delete=models.PROTECT, related_name="assessment_events"
    )
    component = models.ForeignKey(
        "schemes.AssessmentComponent", on_delete=models.PROTECT, related_name="events"
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    delivery = models.CharField(
        _("delivery"), max_length=16, choices=Delivery.choices, default=Delivery.IN_PERSON
    )
    location = models.CharField(
        _("place"),
        max_length=300,
        help_text=_("The address and room, or how candidates join an online session"),
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    language = models.CharField(
        _("language of the assessment"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Only examiners approved for this language mark it (R14)"),
    )
    double_marking = models.BooleanField(
        _("every result is marked twice"),
        default=False,
        help_text=_("A second examiner marks each result independently"),
    )
    marking_tolerance = models.DecimalField(
        _("marking tolerance"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Two marks further apart than this are reconciled"),
    )
    notes = models.TextField(_("notes for the personnel"), blank=True)
    status = FSMField(
        _("status"),
        max_length=16,
        choices=EventStatus.choices,
        default=EventStatus.SCHEDULED,
        protected=True,
        db_index=True,
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    held_at = models.DateTimeField(_("recorded as held at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["scheme", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(marking_tolerance__gte=0), name="event_tolerance_not_negative"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.reference} {self.component.name} {self.starts_at:%Y-%m-%d}"

    def get_scheme_id(self) -> int:
        return int(self.scheme_id)

    @transition(field=status, source=EventStatus.SCHEDULED, target=EventStatus.HELD)
    def hold(self) -> None:
        """The sitting took place; attendance is recorded and marking may begin."""

    @transition(field=status, source=EventStatus.SCHEDULED, target=EventStatus.CANCELLED)
    def cancel(self) -> None:
        """The sitting will not take place; its candidates are told."""


class AssignmentRole(models.TextChoices):
    EXAMINER = "examiner", _("Examiner")
    INVIGILATOR = "invigilator", _("Invigilator")


class EventAssignment(TimeStampedModel):
    """A member of the personnel assigned to an event as examiner or invigilator (6.2)."""

    event = models.ForeignKey(AssessmentEvent, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="event_assignments"
    )
    role = models.CharField(_("role"), max_length=16, choices=AssignmentRole.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["event_id", "role", "pk"]
        constraints = [
            # One role per person and event: an invigilator on an event never marks on it (R14).
            models.UniqueConstraint(fields=["event", "user"], name="one_assignment_per_event")
        ]

    @override
    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.event.reference})"

    def get_scheme_id(self) -> int:
        return self.event.get_scheme_id()


class Attendance(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")


class EventCandidate(TimeStampedModel):
    """An eligible application booked on an event: the candidate's seat."""

    event = models.ForeignKey(AssessmentEvent, on_delete=models.PROTECT, related_name="candidates")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="assessment_entries"
    )
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance.choices, default=Attendance.EXPECTED
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["event_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "application"], name="one_entry_per_application_and_event"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.application} on {self.event.reference}"

    def get_scheme_id(self) -> int:
        return self.event.get_scheme_id()


class ResultStatus(models.TextChoices):
    AWAITING_SECOND_MARK = "awaiting_second_mark", _("Awaiting a second mark")
    AWAITING_RECONCILIATION = "awaiting_reconciliation", _("Marks differ: awaiting reconciliation")
    FINAL = "final", _("Final, not released")
    RELEASED = "released", _("Released to the candidate")


class ComponentResult(FSMModelMixin, TimeStampedModel):
    """A candidate's result on the component of one event: marks, reconciliation, release."""

    entry = models.OneToOneField(EventCandidate, on_delete=models.PROTECT, related_name="result")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="component_results"
    )
    component = models.ForeignKey(
        "schemes.AssessmentComponent", on_delete=models.PROTECT, related_name="results"
    )
    event = models.ForeignKey(AssessmentEvent, on_delete=models.PROTECT, related_name="results")
    status = FSMField(
        _("status"),
        max_length=32,
        choices=ResultStatus.choices,
        protected=True,
        db_index=True,
    )

    first_marker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    first_score = models.DecimalField(_("first mark"), max_digits=8, decimal_places=2)
    first_marked_at = models.DateTimeField()
    rubric_notes = models.TextField(_("rubric notes"), blank=True)

    second_marking_required = models.BooleanField(default=False)
    second_marker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_score = models.DecimalField(
        _("second mark"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    second_marked_at = models.DateTimeField(null=True, blank=True)
    second_notes = models.TextField(_("second marker's notes"), blank=True)

    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reconciled_at = models.DateTimeField(null=True, blank=True)
    reconciliation_notes = models.TextField(_("reconciliation"), blank=True)

    score = models.DecimalField(
        _("score"), max_digits=8, decimal_places=2, null=True, blank=True, help_text=_("Final")
    )
    passed = models.BooleanField(_("passed"), null=True)
    feedback = models.TextField(
        _("feedback to the candidate"), blank=True, help_text=_("Shown once released")
    )

    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["event_id", "entry_id"]
        indexes = [models.Index(fields=["application", "component"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True, passed__isnull=True)
                | Q(score__isnull=False, passed__isnull=False),
                name="result_passed_with_final_score",
            ),
            models.CheckConstraint(
                condition=~Q(status="released") | Q(released_at__isnull=False, score__isnull=False),
                name="result_released_with_date_and_score",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.application} — {self.component.code}: {self.get_status_display()}"

    def get_scheme_id(self) -> int:
        return self.event.get_scheme_id()

    @property
    def marker_ids(self) -> set[int]:
        return {
            user_id
            for user_id in (self.first_marker_id, self.second_marker_id, self.reconciled_by_id)
            if user_id is not None
        }

    def marks_differ_beyond(self, tolerance: Decimal) -> bool:
        assert self.second_score is not None
        return abs(self.first_score - self.second_score) > tolerance

    @transition(
        field=status,
        source=ResultStatus.AWAITING_SECOND_MARK,
        target=ResultStatus.FINAL,
    )
    def agree(self) -> None:
        """The second mark lies within the tolerance of the first."""

    @transition(
        field=status,
        source=ResultStatus.AWAITING_SECOND_MARK,
        target=ResultStatus.AWAITING_RECONCILIATION,
    )
    def disagree(self) -> None:
        """The marks differ beyond the tolerance."""

    @transition(
        field=status,
        source=ResultStatus.AWAITING_RECONCILIATION,
        target=ResultStatus.FINAL,
    )
    def reconcile(self) -> None:
        """An examiner records the agreed score with the reasons."""

    @transition(field=status, source=ResultStatus.FINAL, target=ResultStatus.AWAITING_SECOND_MARK)
    def require_second_mark(self) -> None:
        """An officer or the first marker asks for an independent second mark before release."""

    @transition(field=status, source=ResultStatus.FINAL, target=ResultStatus.RELEASED)
    def release(self) -> None:
        """A certification officer releases the result to the candidate."""


def attachment_upload_to(instance: Any, filename: str) -> str:
    # The stored name carries no personal data; the original name is kept in the row.
    return f"exams/results/{instance.result_id}/{secrets.token_hex(16)}"


class ResultAttachment(TimeStampedModel):
    """A file behind a result: a marked script, an observation form, a recording log."""

    result = models.ForeignKey(
        ComponentResult, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    description = models.CharField(_("description"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["result_id", "created_at", "pk"]

    @override
    def __str__(self) -> str:
        return self.original_name

    def get_scheme_id(self) -> int:
        return self.result.get_scheme_id()
