"""Online exam delivery (ISO/IEC 17024 9.2, 9.3, 7.4; R14, R17, R18).

An `ExamSession` is an assessment event of an exam component, delivered from an approved form of
the item bank. Each seat is an `Attempt`: the candidate's entry gate (rules, identity, release),
the accommodations applied, the order they saw, the server-owned clock (`ClockEvent`, computed by
`delivery.clock`), the append-only `AnswerEvent` log (their current answers are derived from it),
and, after the session, the scores. `Incident`s are recorded by invigilators; `RubricMark`s by
examiners for extended responses; a `KeyReview` with its `KeyFinding`s validates the keys before
the results are released into the assessment record (`ComponentResult`).
"""

from __future__ import annotations

from typing import Any, override

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from peritus.core.models import TimeStampedModel
from peritus.core.references import random_reference


def new_attempt_reference() -> str:
    """A public reference such as T-7KQ2M9XW (never the primary key)."""
    return random_reference("T-")


def new_incident_reference() -> str:
    return random_reference("I-", 6)


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ENDED = "ended", _("Ended: scoring and key validation")
    VALIDATED = "validated", _("Keys validated: ready for release")
    RELEASED = "released", _("Results released")


class ExamSession(FSMModelMixin, TimeStampedModel):
    """An assessment event of an exam component, delivered online from one approved form."""

    event = models.OneToOneField(
        "exams.AssessmentEvent", on_delete=models.PROTECT, related_name="exam_session"
    )
    form = models.ForeignKey(
        "itembank.ExamForm", on_delete=models.PROTECT, related_name="exam_sessions"
    )
    booking_closes_at = models.DateTimeField(_("candidates may book until"))
    late_start_minutes = models.PositiveSmallIntegerField(
        _("latest start (minutes after the start time)"), default=30
    )
    shuffle_items = models.BooleanField(_("shuffle the items per candidate"), default=True)
    shuffle_options = models.BooleanField(
        _("shuffle the options per candidate (where the item allows it)"), default=True
    )
    rules_version = models.CharField(_("version of the exam rules"), max_length=40)
    rules_text = models.TextField(_("exam rules and non-disclosure agreement"))
    rules_sha256 = models.CharField(max_length=64)
    status = FSMField(
        _("status"),
        max_length=16,
        choices=SessionStatus.choices,
        default=SessionStatus.SCHEDULED,
        protected=True,
        db_index=True,
    )
    room_paused_at = models.DateTimeField(_("whole session paused since"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: ended by the scheduled job"),
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responses_recorded_at = models.DateTimeField(
        _("responses handed to the item statistics at"), null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-event__starts_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.event.reference} ({self.form_id})"

    def get_scheme_id(self) -> int:
        return self.event.get_scheme_id()

    @transition(field=status, source=SessionStatus.SCHEDULED, target=SessionStatus.ENDED)
    def end(self) -> None:
        """Nobody sits any more: attempts are scored, keys can be validated."""

    @transition(field=status, source=SessionStatus.ENDED, target=SessionStatus.VALIDATED)
    def validate(self) -> None:
        """The psychometrician decided on every flagged item; everyone was re-scored."""

    @transition(field=status, source=SessionStatus.VALIDATED, target=SessionStatus.RELEASED)
    def release(self) -> None:
        """The results went to the candidates and into the assessment record."""


class AttemptStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    IN_PROGRESS = "in_progress", _("In progress")
    PAUSED = "paused", _("Paused")
    SUBMITTED = "submitted", _("Submitted")
    TIMED_OUT = "timed_out", _("Closed at the deadline")
    ABSENT = "absent", _("Absent")
    SCORED = "scored", _("Scored")
    RELEASED = "released", _("Result released")


OPEN_ATTEMPT_STATUSES = (AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED)
CLOSED_ATTEMPT_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.TIMED_OUT)
SAT_ATTEMPT_STATUSES = (
    AttemptStatus.SUBMITTED,
    AttemptStatus.TIMED_OUT,
    AttemptStatus.SCORED,
    AttemptStatus.RELEASED,
)


class IdentityDocument(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")


class CloseReason(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted by the candidate")
    DEADLINE = "deadline", _("Closed at the deadline")
    INVIGILATOR = "invigilator", _("Ended by the invigilator")


def _ready_to_start(attempt: Any) -> bool:
    """R17: rules and non-disclosure accepted, identity checked, accommodations applied, released."""
    return (
        attempt.rules_accepted_at is not None
        and attempt.identity_checked_at is not None
        and attempt.accommodations_applied_at is not None
        and attempt.start_released_at is not None
    )


class Attempt(FSMModelMixin, TimeStampedModel):
    """One candidate's seat on a session and everything about their sitting."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_attempt_reference
    )
    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="attempts")
    entry = models.OneToOneField(
        "exams.EventCandidate", on_delete=models.PROTECT, related_name="attempt"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exam_attempts"
    )
    status = FSMField(
        _("status"),
        max_length=16,
        choices=AttemptStatus.choices,
        default=AttemptStatus.BOOKED,
        protected=True,
        db_index=True,
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    # The entry gate (R17)
    rules_version = models.CharField(max_length=40, blank=True)
    rules_sha256 = models.CharField(max_length=64, blank=True)
    rules_accepted_at = models.DateTimeField(null=True, blank=True)
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_document = models.CharField(
        _("identity document seen"), max_length=20, choices=IdentityDocument.choices, blank=True
    )
    start_released_at = models.DateTimeField(null=True, blank=True)
    start_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Accommodations applied (9.2), copied from the approved ones when the start is released
    accommodations_applied_at = models.DateTimeField(null=True, blank=True)
    accommodation_ids = models.JSONField(default=list, blank=True)
    extra_time_percent = models.PositiveSmallIntegerField(default=0)
    rest_breaks = models.BooleanField(default=False)
    large_text = models.BooleanField(default=False)
    high_contrast = models.BooleanField(default=False)
    screen_reader = models.BooleanField(default=False)
    separate_room = models.BooleanField(default=False)

    # What the candidate saw
    seed = models.BigIntegerField(null=True, blank=True)
    item_order = models.JSONField(default=list, blank=True, help_text=_("Form entry ids"))
    option_orders = models.JSONField(default=dict, blank=True)

    # The clock (computed by delivery.clock from the clock events; the deadline is cached here)
    started_at = models.DateTimeField(null=True, blank=True)
    allotted_seconds = models.PositiveIntegerField(null=True, blank=True)
    deadline_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Empty while paused or before the start")
    )
    current_position = models.PositiveSmallIntegerField(default=1)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_reason = models.CharField(max_length=16, choices=CloseReason.choices, blank=True)

    # Scores (provisional until the keys are validated)
    item_scores = models.JSONField(default=dict, blank=True)
    raw_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    domain_scores = models.JSONField(default=list, blank=True)
    passed = models.BooleanField(null=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["current_position"])

    class Meta:
        ordering = ["session_id", "pk"]
        indexes = [models.Index(fields=["status", "deadline_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(extra_time_percent__lte=300), name="attempt_extra_time_bounded"
            )
        ]

    @override
    def __str__(self) -> str:
        return self.reference

    def get_scheme_id(self) -> int:
        return self.session.get_scheme_id()

    @property
    def item_count(self) -> int:
        return len(self.item_order)

    @transition(field=status, source=AttemptStatus.BOOKED, target=AttemptStatus.CHECKED_IN)
    def check_in(self) -> None:
        """The candidate accepted the exam rules and the non-disclosure agreement."""

    @transition(
        field=status,
        source=AttemptStatus.CHECKED_IN,
        target=AttemptStatus.IN_PROGRESS,
        conditions=[_ready_to_start],
    )
    def start(self) -> None:
        """The clock starts (R17 holds)."""

    @transition(field=status, source=AttemptStatus.IN_PROGRESS, target=AttemptStatus.PAUSED)
    def pause(self) -> None:
        """The clock stops: an invigilator's pause or a rest break."""

    @transition(field=status, source=AttemptStatus.PAUSED, target=AttemptStatus.IN_PROGRESS)
    def resume(self) -> None:
        """The clock runs again."""

    @transition(field=status, source=list(OPEN_ATTEMPT_STATUSES), target=AttemptStatus.SUBMITTED)
    def submit(self) -> None:
        """The candidate handed in (or the invigilator ended the attempt)."""

    @transition(field=status, source=list(OPEN_ATTEMPT_STATUSES), target=AttemptStatus.TIMED_OUT)
    def time_out(self) -> None:
        """The server's deadline passed."""

    @transition(
        field=status,
        source=[AttemptStatus.BOOKED, AttemptStatus.CHECKED_IN],
        target=AttemptStatus.ABSENT,
    )
    def mark_absent(self) -> None:
        """The session ended without this candidate starting."""

    @transition(
        field=status,
        source=[*CLOSED_ATTEMPT_STATUSES, AttemptStatus.SCORED],
        target=AttemptStatus.SCORED,
    )
    def record_score(self) -> None:
        """Every item is scored (objective items automatically, extended responses marked)."""

    @transition(field=status, source=AttemptStatus.SCORED, target=AttemptStatus.RELEASED)
    def release(self) -> None:
        """The result went to the candidate."""


class ClockEventKind(models.TextChoices):
    START = "start", _("Started")
    STOP = "stop", _("Clock stopped")
    RESUME = "resume", _("Clock resumed")
    ADD_TIME = "add_time", _("Time added")


class StopReason(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate paused by the invigilator")
    ROOM = "room", _("Session paused")
    BREAK = "break", _("Rest break")


class ClockEvent(models.Model):
    """One event of an attempt's clock; append-only (the database refuses UPDATE and DELETE)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="clock_events")
    kind = models.CharField(max_length=16, choices=ClockEventKind.choices)
    reason = models.CharField(max_length=16, choices=StopReason.choices, blank=True)
    at = models.DateTimeField()
    added_seconds = models.PositiveIntegerField(default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the system"),
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["attempt_id", "at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.attempt_id} {self.kind} {self.reason} {self.at:%H:%M:%S}"


class AnswerChannel(models.TextChoices):
    AUTOSAVE = "autosave", _("Saved as the answer changed")
    FORM = "form", _("Saved with the question's buttons")


class AnswerEvent(models.Model):
    """One saved answer; append-only, so the sequence of answers can be replayed in an appeal.

    The idempotency key makes a retried save store once. The rows of one attempt are in the
    order the server received them by their id (each save is one INSERT, ADR in the report).
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="answers")
    form_entry = models.ForeignKey(
        "itembank.ExamFormEntry", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(help_text=_("Where the candidate saw the item"))
    response = models.JSONField(default=list)
    flagged = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=64)
    channel = models.CharField(max_length=16, choices=AnswerChannel.choices)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["attempt_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "idempotency_key"], name="answer_idempotency_key_unique"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.pk}"


class IncidentKind(models.TextChoices):
    IRREGULARITY = "irregularity", _("Irregularity")
    TECHNICAL_FAULT = "technical_fault", _("Technical fault")
    SUSPECTED_MISCONDUCT = "suspected_misconduct", _("Suspected misconduct")


class Incident(TimeStampedModel):
    """Something an invigilator saw during a session, for one candidate or for the whole room."""

    reference = models.CharField(max_length=12, unique=True, default=new_incident_reference)
    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="incidents")
    attempt = models.ForeignKey(
        Attempt,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        help_text=_("Empty: the whole session"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    notes = models.TextField(_("what happened and what was done"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["session_id", "occurred_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    def get_scheme_id(self) -> int:
        return self.session.get_scheme_id()


class MarkStatus(models.TextChoices):
    AWAITING_SECOND_MARK = "awaiting_second_mark", _("Awaiting a second mark")
    AWAITING_RECONCILIATION = "awaiting_reconciliation", _("Marks differ: awaiting adjudication")
    FINAL = "final", _("Final")


class RubricMark(FSMModelMixin, TimeStampedModel):
    """The examiners' marks of one extended response against its rubric (double marking, 6.2)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="rubric_marks")
    form_entry = models.ForeignKey(
        "itembank.ExamFormEntry", on_delete=models.PROTECT, related_name="+"
    )
    status = FSMField(max_length=32, choices=MarkStatus.choices, protected=True)
    first_marker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    first_score = models.DecimalField(max_digits=8, decimal_places=2)
    first_notes = models.TextField(blank=True)
    first_marked_at = models.DateTimeField()
    second_marker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    second_notes = models.TextField(blank=True)
    second_marked_at = models.DateTimeField(null=True, blank=True)
    adjudicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adjudicated_at = models.DateTimeField(null=True, blank=True)
    adjudication_notes = models.TextField(blank=True)
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["attempt_id", "form_entry_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "form_entry"], name="one_rubric_mark_per_response"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.attempt} · entry {self.form_entry_id}: {self.get_status_display()}"

    def get_scheme_id(self) -> int:
        return self.attempt.get_scheme_id()

    @property
    def marker_ids(self) -> set[int]:
        return {
            user_id
            for user_id in (self.first_marker_id, self.second_marker_id, self.adjudicated_by_id)
            if user_id is not None
        }

    @transition(field=status, source=MarkStatus.AWAITING_SECOND_MARK, target=MarkStatus.FINAL)
    def agree(self) -> None:
        """The second mark lies within the tolerance of the first."""

    @transition(
        field=status,
        source=MarkStatus.AWAITING_SECOND_MARK,
        target=MarkStatus.AWAITING_RECONCILIATION,
    )
    def disagree(self) -> None:
        """The marks differ beyond the tolerance."""

    @transition(field=status, source=MarkStatus.AWAITING_RECONCILIATION, target=MarkStatus.FINAL)
    def adjudicate(self) -> None:
        """A third examiner decides the score, with reasons."""


class KeyReviewStatus(models.TextChoices):
    OPEN = "open", _("Open: decisions awaited")
    COMPLETED = "completed", _("Completed: everyone re-scored")


class KeyReview(FSMModelMixin, TimeStampedModel):
    """Key validation of one session's administration of its form (R18)."""

    session = models.OneToOneField(ExamSession, on_delete=models.PROTECT, related_name="key_review")
    status = FSMField(
        max_length=16,
        choices=KeyReviewStatus.choices,
        default=KeyReviewStatus.OPEN,
        protected=True,
    )
    analysed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    analysed_at = models.DateTimeField()
    n_candidates = models.PositiveIntegerField()
    alpha = models.FloatField(null=True, blank=True)
    notes = models.JSONField(default=list, blank=True)
    item_statistics = models.JSONField(default=list, blank=True)
    thresholds = models.JSONField(default=dict, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-analysed_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"Key review of {self.session}"

    def get_scheme_id(self) -> int:
        return self.session.get_scheme_id()

    @transition(field=status, source=KeyReviewStatus.OPEN, target=KeyReviewStatus.COMPLETED)
    def complete(self) -> None:
        """Every finding has a decision; the session is re-scored."""


class KeyDecisionChoice(models.TextChoices):
    ACCEPT = "accept", _("Accept the key")
    REKEY = "rekey", _("Re-key")
    CREDIT_ALL = "credit_all", _("Credit every candidate")
    DROP = "drop", _("Drop the item from the score")


class KeyFinding(TimeStampedModel):
    """One item the analysis flagged (or the psychometrician added), and the decision on it."""

    review = models.ForeignKey(KeyReview, on_delete=models.PROTECT, related_name="findings")
    form_entry = models.ForeignKey(
        "itembank.ExamFormEntry", on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(max_length=64)
    flags = models.JSONField(default=list, blank=True)
    statistics = models.JSONField(default=dict, blank=True)
    raised_by_analysis = models.BooleanField(default=True)
    decision = models.CharField(
        max_length=16, choices=KeyDecisionChoice.choices, blank=True, default=""
    )
    new_key = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review_id", "form_entry__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "form_entry"], name="one_finding_per_item_and_review"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.label}: {self.get_decision_display() or 'undecided'}"

    def get_scheme_id(self) -> int:
        return self.review.get_scheme_id()
