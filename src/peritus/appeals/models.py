"""Appeals (ISO/IEC 17024 clause 9.8; rules R22, R23).

A person appeals a decision of the body about them: a certification decision, an eligibility
outcome, a refused accommodation, an exam result, or a change of their certificate's status. The
appeal gets a reference and an acknowledgement at once, is validated, heard by a panel of people
who were not involved with the appellant (R22), decided with reasons, and the outcome is written
to the appellant (R23). What follows from it (a new decision, a corrective action) is tracked
until done.
"""

from __future__ import annotations

from typing import override

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from peritus.core.models import TimeStampedModel
from peritus.core.references import random_reference


def new_appeal_reference() -> str:
    """A public reference such as AP-7KQ2M9XD (never the primary key)."""
    return random_reference("AP-")


class AppealSubject(models.TextChoices):
    CERTIFICATION_DECISION = "certification_decision", _("A certification decision")
    ELIGIBILITY = "eligibility", _("An eligibility outcome")
    ACCOMMODATION = "accommodation", _("A refused accommodation")
    EXAM_RESULT = "exam_result", _("An exam result")
    CERTIFICATE_STATUS = "certificate_status", _("A suspension or withdrawal of a certificate")
    OTHER = "other", _("Another decision of the body")


class AppealChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    OTHER = "other", _("Other (phone, in person), confirmed in writing")


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review by the panel")
    DECIDED = "decided", _("Decided")
    NOT_ADMISSIBLE = "not_admissible", _("Not admissible")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (AppealStatus.RECEIVED, AppealStatus.UNDER_REVIEW)
FINISHED_STATUSES = (AppealStatus.NOT_ADMISSIBLE, AppealStatus.WITHDRAWN, AppealStatus.CLOSED)


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Appeal(FSMModelMixin, TimeStampedModel):
    """One appeal, linked to the record appealed, from receipt to closure (9.8)."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_appeal_reference
    )
    appellant = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("appellant"),
    )
    subject_kind = models.CharField(
        _("what is appealed"), max_length=24, choices=AppealSubject.choices
    )
    decision = models.ForeignKey(
        "certification.CertificationDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    accommodation = models.ForeignKey(
        "applications.Accommodation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    result = models.ForeignKey(
        "exams.ComponentResult",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    certificate = models.ForeignKey(
        "certification.Certificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    scheme = models.ForeignKey(
        "schemes.Scheme", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_label = models.CharField(
        _("record appealed"), max_length=200, help_text=_("As the appellant reads it")
    )
    subject_decided_on = models.DateField(_("date of the decision appealed"), null=True, blank=True)
    grounds = models.TextField(_("grounds of the appeal"))
    remedy_sought = models.TextField(_("what the appellant asks for"), blank=True)
    channel = models.CharField(_("received by"), max_length=10, choices=AppealChannel.choices)
    received_at = models.DateTimeField(_("received at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lodged_in_time = models.BooleanField(
        _("lodged within the appeal window"),
        null=True,
        help_text=_("Empty when the appealed record has no date"),
    )
    status = FSMField(
        _("status"),
        max_length=16,
        choices=AppealStatus.choices,
        default=AppealStatus.RECEIVED,
        protected=True,
        db_index=True,
    )

    # Acknowledgement and deadlines (R23)
    acknowledge_due_on = models.DateField(_("acknowledge by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledgement_note = models.CharField(
        _("how it was acknowledged"), max_length=200, blank=True
    )
    decision_due_on = models.DateField(_("decide by"))
    last_update_at = models.DateTimeField(_("last written to the appellant"), null=True, blank=True)
    acknowledgement_overdue_notified = models.BooleanField(default=False)
    decision_overdue_notified = models.BooleanField(default=False)

    # Validation
    admitted_at = models.DateTimeField(_("admitted at"), null=True, blank=True)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    admission_note = models.TextField(_("validation note"), blank=True)

    # Decision (by the panel)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=AppealOutcome.choices, blank=True
    )
    outcome_reasons = models.TextField(_("reasons"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # The end of the case
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("why it was withdrawn"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure_note = models.TextField(_("closure note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "decision_due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(decided_at__isnull=False),
                name="appeal_outcome_has_decision_time",
            )
        ]

    @override
    def __str__(self) -> str:
        return self.reference

    def get_scheme_id(self) -> int | None:
        return self.scheme_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @transition(field=status, source=AppealStatus.RECEIVED, target=AppealStatus.UNDER_REVIEW)
    def admit(self) -> None:
        """Validated: the appeal is about a decision of the body and goes to a panel."""

    @transition(field=status, source=AppealStatus.RECEIVED, target=AppealStatus.NOT_ADMISSIBLE)
    def reject(self) -> None:
        """Not admissible, with reasons written to the appellant."""

    @transition(field=status, source=AppealStatus.UNDER_REVIEW, target=AppealStatus.DECIDED)
    def decide(self) -> None:
        """The panel decided, with reasons; the outcome is written to the appellant."""

    @transition(field=status, source=list(OPEN_STATUSES), target=AppealStatus.WITHDRAWN)
    def withdraw(self) -> None:
        """The appellant withdrew the appeal before its decision."""

    @transition(field=status, source=AppealStatus.DECIDED, target=AppealStatus.CLOSED)
    def close(self) -> None:
        """Every action resulting from the decision is done."""


class PanelMembership(TimeStampedModel):
    """A member of the appeals panel for one appeal, and their declaration of interests (R22)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="panel")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeal_panels"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    declaration = models.ForeignKey(
        "impartiality.ConflictDeclaration",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The member's declaration of no conflict for this appeal"),
    )
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("left the panel at"), null=True, blank=True)
    end_reason = models.TextField(_("why they left the panel"), blank=True)

    class Meta:
        ordering = ["appeal_id", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "member"],
                condition=Q(ended_at__isnull=True),
                name="appeal_panel_member_once",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.appeal.reference}: {self.member}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def has_declared(self) -> bool:
        return self.declared_at is not None


class AppealNote(TimeStampedModel):
    """An investigation note: for the panel and the quality manager, not the appellant."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))

    class Meta:
        ordering = ["appeal_id", "created_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.appeal.reference} note {self.pk}"


class AppealUpdate(TimeStampedModel):
    """What the body wrote to the appellant while the appeal ran (R23: progress reports)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("message"))

    class Meta:
        ordering = ["appeal_id", "created_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.appeal.reference} update {self.pk}"


class AppealActionKind(models.TextChoices):
    NEW_DECISION = "new_decision", _("A new decision by an uninvolved decision maker")
    CORRECTIVE_ACTION = "corrective_action", _("A corrective action")
    REASSESSMENT = "reassessment", _("A new assessment or re-marking")
    REINSTATEMENT = "reinstatement", _("Reinstatement of the certificate")
    OTHER = "other", _("Another action")


class AppealAction(TimeStampedModel):
    """Something that follows from the appeal decision, tracked until done (9.8)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("action"), max_length=20, choices=AppealActionKind.choices)
    description = models.TextField(_("description"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeal_actions",
        verbose_name=_("assigned to"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    new_decision = models.ForeignKey(
        "certification.CertificationDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("the new decision"),
    )
    corrective_action = models.ForeignKey(
        "qms.CorrectiveAction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("corrective action"),
    )
    certification_record = models.CharField(
        _("certification record"),
        max_length=64,
        blank=True,
        help_text=_("The decision or certificate change that carried the action out"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        ordering = ["appeal_id", "created_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.appeal.reference}: {self.get_kind_display()}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
