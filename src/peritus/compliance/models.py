"""Compliance checks across contexts. R25 (no retaliation): an adverse decision about someone who
appealed or complained shortly before is flagged for management review."""

from __future__ import annotations

from typing import override

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from peritus.core.models import TimeStampedModel
from peritus.core.references import random_reference


def new_flag_reference() -> str:
    """A public reference such as RF-7KQ2M9XD (never the primary key)."""
    return random_reference("RF-")


class AdverseKind(models.TextChoices):
    CERTIFICATION_REFUSED = "certification_refused", _("Certification refused")
    NOT_ELIGIBLE = "not_eligible", _("Application found not eligible")
    SUSPENDED = "suspended", _("Certificate suspended")
    WITHDRAWN = "withdrawn", _("Certificate withdrawn")
    SCOPE_REDUCED = "scope_reduced", _("Scope of a certificate reduced")
    EXAM_FAILED = "exam_failed", _("Exam result released as failed")
    RECERTIFICATION_REFUSED = "recertification_refused", _("Recertification refused")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open: to be reviewed")
    REVIEWED = "reviewed", _("Reviewed")


class Conclusion(models.TextChoices):
    NO_CONCERN = "no_concern", _("No concern: the decision rests on its own grounds")
    CONCERN = "concern", _("Concern: the decision may be retaliation")


class RetaliationFlag(TimeStampedModel):
    """One adverse decision about a person who appealed or complained within the window (R25)."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_flag_reference
    )
    decision_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("decision kind")
    )
    decision_id = models.PositiveBigIntegerField(_("decision id"))
    kind = models.CharField(_("adverse decision"), max_length=24, choices=AdverseKind.choices)
    decision_reference = models.CharField(_("decision reference"), max_length=40)
    decided_at = models.DateTimeField(_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    involved_user_ids = models.JSONField(
        _("staff who took part in the decision"), default=list, blank=True
    )
    person = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        related_name="retaliation_flags",
        verbose_name=_("person"),
    )
    appeal = models.ForeignKey(
        "appeals.Appeal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("appeal lodged"),
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("complaint lodged"),
    )
    activity_at = models.DateTimeField(_("appeal or complaint received at"))
    window_days = models.PositiveIntegerField(_("window (days)"))
    raised_at = models.DateTimeField(_("flagged at"))
    status = models.CharField(
        _("status"), max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    conclusion = models.CharField(
        _("conclusion"), max_length=12, choices=Conclusion.choices, blank=True
    )
    reasons = models.TextField(_("reasons"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    corrective_action = models.ForeignKey(
        "qms.CorrectiveAction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("corrective action"),
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision_type", "decision_id"], name="compliance_one_flag_per_decision"
            )
        ]

    @override
    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return bool(self.status == FlagStatus.OPEN)
