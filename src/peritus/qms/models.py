"""Corrective and preventive actions (ISO/IEC 17024 clauses 10.2.7 and 10.2.8; rule R29).

A corrective action answers an actual nonconformity, a preventive action a potential one. Each
keeps where it came from (an appeal, a complaint, an exam statistics review, an internal audit …)
as a generic reference, so that this app stays below the apps whose records raise actions. The
cause is found, actions with owners and due dates are carried out, and someone other than the
people who implemented them checks that they worked before the action is closed (R29).
"""

from __future__ import annotations

from typing import cast, override

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from peritus.core.models import TimeStampedModel
from peritus.core.references import random_reference


def new_corrective_action_reference() -> str:
    """A public reference such as CA-7KQ2M9 (never the primary key)."""
    return random_reference("CA-", 6)


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("Corrective action (an actual nonconformity)")
    PREVENTIVE = "preventive", _("Preventive action (a potential nonconformity)")


class ActionSource(models.TextChoices):
    APPEAL = "appeal", _("Appeal")
    COMPLAINT = "complaint", _("Complaint")
    EXAM_STATISTICS = "exam_statistics", _("Exam statistics review")
    INTERNAL_AUDIT = "internal_audit", _("Internal audit")
    MANAGEMENT_REVIEW = "management_review", _("Management review")
    SECURITY_INCIDENT = "security_incident", _("Security incident")
    OTHER = "other", _("Other")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open: cause being found")
    IN_PROGRESS = "in_progress", _("Actions in progress")
    IMPLEMENTED = "implemented", _("Implemented: effectiveness to be checked")
    VERIFIED = "verified", _("Checked effective")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED_STATUSES = (ActionStatus.CLOSED, ActionStatus.CANCELLED)


def has_root_cause(instance: models.Model) -> bool:
    return bool(cast("CorrectiveAction", instance).root_cause.strip())


class CorrectiveAction(FSMModelMixin, TimeStampedModel):
    """One entry of the corrective and preventive action register (10.2.7, 10.2.8)."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_corrective_action_reference
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=ActionKind.choices, default=ActionKind.CORRECTIVE
    )
    source = models.CharField(_("source"), max_length=20, choices=ActionSource.choices)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_record = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(
        _("source reference"),
        max_length=200,
        blank=True,
        help_text=_("The appeal, complaint, audit or review this comes from"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("the nonconformity"), help_text=_("What went wrong, or could"))
    containment = models.TextField(
        _("immediate correction"), blank=True, help_text=_("What was done at once to contain it")
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="corrective_actions_owned",
        verbose_name=_("owner"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"))
    due_on = models.DateField(_("to be closed by"))
    status = FSMField(
        _("status"),
        max_length=16,
        choices=ActionStatus.choices,
        default=ActionStatus.OPEN,
        protected=True,
        db_index=True,
    )
    implemented_at = models.DateTimeField(_("implemented at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure_summary = models.TextField(_("closure summary"), blank=True)
    cancellation_reason = models.TextField(_("why it was cancelled"), blank=True)
    overdue_notified_on = models.DateField(
        null=True, blank=True, help_text=_("The due date the owner was last told was missed")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["status", "due_on"]),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @transition(
        field=status,
        source=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
        target=ActionStatus.IN_PROGRESS,
        conditions=[has_root_cause],
    )
    def plan(self) -> None:
        """Actions are planned once the cause is known."""

    @transition(field=status, source=ActionStatus.IN_PROGRESS, target=ActionStatus.IMPLEMENTED)
    def implement(self) -> None:
        """Every planned action is done; effectiveness remains to be checked."""

    @transition(field=status, source=ActionStatus.IMPLEMENTED, target=ActionStatus.VERIFIED)
    def verify(self) -> None:
        """Someone who implemented none of it found that it worked (R29)."""

    @transition(field=status, source=ActionStatus.IMPLEMENTED, target=ActionStatus.IN_PROGRESS)
    def reopen(self) -> None:
        """The check found it did not work: more action is needed."""

    @transition(field=status, source=ActionStatus.VERIFIED, target=ActionStatus.CLOSED)
    def close(self) -> None:
        """Only after an effectiveness check found it worked (R29)."""

    @transition(
        field=status,
        source=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
        target=ActionStatus.CANCELLED,
    )
    def cancel(self) -> None:
        """Raised in error or merged into another action; the reason is recorded."""


class ActionStep(TimeStampedModel):
    """One planned action of a CAPA, with its owner and due date."""

    corrective_action = models.ForeignKey(
        CorrectiveAction, on_delete=models.PROTECT, related_name="steps"
    )
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="corrective_steps_owned",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completion_note = models.TextField(_("what was done"), blank=True)
    overdue_notified_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["corrective_action_id", "due_on", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.corrective_action.reference}: {self.description[:60]}"

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None


class EffectivenessCheck(TimeStampedModel):
    """Someone other than the implementers checked whether the actions worked (10.2.7, R29)."""

    corrective_action = models.ForeignKey(
        CorrectiveAction, on_delete=models.PROTECT, related_name="effectiveness_checks"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"))
    effective = models.BooleanField(_("the actions worked"))
    evidence = models.TextField(_("what was checked, and the finding"))

    class Meta:
        ordering = ["corrective_action_id", "checked_at", "pk"]

    @override
    def __str__(self) -> str:
        verdict = _("effective") if self.effective else _("not effective")
        return f"{self.corrective_action.reference}: {verdict}"
