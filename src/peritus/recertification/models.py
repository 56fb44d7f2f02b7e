"""Surveillance, continuing professional development and recertification (ISO/IEC 17024 9.6).

The scheme version says how long a certificate is valid, how often it is surveilled, how many
CPD hours a cycle needs and when the recertification window opens. What the scheme version does
not hold (hours by category, the declaration of continued practice, a work log, a re-examination,
the spot-check rate, the grace period) is a `RecertificationPolicy` keyed to the version.

A holder logs CPD activities with evidence and submits surveillance or recertification (a
`Submission`). At submission a keyed draw decides whether it is sampled for audit (R21); the draw
is keyed on the certificate, the kind and the date the submission answers, so submitting again
draws the same. A reviewer checks the evidence; a recertification is then decided by an
independent decision maker (R1), which extends validity and reissues the certificate.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import override

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from peritus.core.models import TimeStampedModel
from peritus.core.references import random_reference

DEFAULT_SPOT_CHECK_PERCENT = Decimal(10)


def new_submission_reference() -> str:
    """A public reference such as R-7KQ2M9XD (never the primary key)."""
    return random_reference("R-")


class RecertificationPolicy(TimeStampedModel):
    """The recertification rules of one scheme version that the version itself does not hold."""

    scheme_version = models.OneToOneField(
        "schemes.SchemeVersion",
        on_delete=models.PROTECT,
        related_name="recertification_policy",
        verbose_name=_("scheme version"),
    )
    declaration_text = models.TextField(
        _("declaration of continued practice"),
        blank=True,
        help_text=_("What the holder declares at each submission; empty when none is asked"),
    )
    work_log_required = models.BooleanField(_("work log required"), default=False)
    reexamination_required = models.BooleanField(
        _("re-examination result required for recertification"), default=False
    )
    spot_check_percent = models.DecimalField(
        _("share of submissions sampled for audit (%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_SPOT_CHECK_PERCENT,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    grace_period_days = models.PositiveSmallIntegerField(
        _("grace period after expiry (days)"),
        default=0,
        validators=[MaxValueValidator(365)],
        help_text=_("A lapsed certificate can still be recertified this many days after expiry"),
    )
    surveillance_notice_days = models.PositiveSmallIntegerField(
        _("surveillance opens (days before it is due)"),
        default=30,
        validators=[MaxValueValidator(365)],
    )
    self_declared_justification = models.TextField(
        _("why self-declared evidence suffices"),
        blank=True,
        help_text=_("Required when the route relies only on the holder's own declarations (R21)"),
    )

    class Meta:
        verbose_name_plural = _("recertification policies")

    @override
    def __str__(self) -> str:
        return f"Recertification policy of {self.scheme_version_id}"

    def get_scheme_id(self) -> int:
        return self.scheme_version.get_scheme_id()


class CpdCategory(models.Model):
    """A category of CPD with the hours a cycle needs in it (e.g. technical, ethics)."""

    policy = models.ForeignKey(
        RecertificationPolicy, on_delete=models.CASCADE, related_name="categories"
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    min_hours = models.DecimalField(
        _("hours needed per cycle"),
        max_digits=6,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["policy_id", "position", "code"]
        verbose_name_plural = _("CPD categories")
        constraints = [
            models.UniqueConstraint(fields=["policy", "code"], name="cpd_category_code_unique")
        ]

    @override
    def __str__(self) -> str:
        return self.name


def cpd_evidence_upload_to(instance: models.Model, filename: str) -> str:
    """Stored under a random name: the uploaded file name never reaches the file system."""
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        str(getattr(instance, "content_type", "")), "bin"
    )
    return f"recertification/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.{extension}"


class StoredFile(models.Model):
    """An evidence file, checked as applications check theirs (type by content, size, SHA-256)."""

    file = models.FileField(_("file"), upload_to=cpd_evidence_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        abstract = True


class AuditVerdict(models.TextChoices):
    NOT_CHECKED = "", _("Not checked")
    ACCEPTED = "accepted", _("Evidence accepted")
    REJECTED = "rejected", _("Evidence rejected")


class CpdActivity(StoredFile, TimeStampedModel):
    """One CPD activity the holder logged against a certificate, with its evidence."""

    certificate = models.ForeignKey(
        "certification.Certificate", on_delete=models.PROTECT, related_name="cpd_activities"
    )
    category = models.CharField(_("category"), max_length=30)
    title = models.CharField(_("activity"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(200))],
    )
    description = models.TextField(_("what you learned or did"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(
        _("audit verdict"), max_length=16, choices=AuditVerdict.choices, blank=True, default=""
    )
    verdict_note = models.TextField(_("audit note"), blank=True)

    class Meta:
        ordering = ["certificate_id", "-completed_on", "-pk"]
        verbose_name_plural = _("CPD activities")

    @override
    def __str__(self) -> str:
        return self.title

    def get_scheme_id(self) -> int:
        return int(self.certificate.scheme_id)

    @property
    def counts(self) -> bool:
        """Rejected evidence does not count towards the hours."""
        return bool(self.verdict != AuditVerdict.REJECTED)


class SubmissionKind(models.TextChoices):
    SURVEILLANCE = "surveillance", _("Surveillance")
    RECERTIFICATION = "recertification", _("Recertification")


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    REVIEWED = "reviewed", _("Reviewed, awaiting a decision")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


OPEN_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.REVIEWED)


class Recommendation(models.TextChoices):
    RECOMMEND = "recommend", _("Evidence complete: recommend")
    NOT_RECOMMEND = "not_recommend", _("Evidence insufficient: do not recommend")


class Submission(FSMModelMixin, TimeStampedModel):
    """A surveillance or recertification submission by the holder, and what became of it."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_submission_reference
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SubmissionKind.choices)
    certificate = models.ForeignKey(
        "certification.Certificate", on_delete=models.PROTECT, related_name="submissions"
    )
    scheme_version = models.ForeignKey(
        "schemes.SchemeVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rules applied"),
    )
    status = FSMField(
        _("status"),
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.SUBMITTED,
        protected=True,
    )
    due_on = models.DateField(
        _("due on"), help_text=_("Surveillance: the date it answers; recertification: the expiry")
    )
    cycle_starts_on = models.DateField(_("cycle started on"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declaration = models.TextField(_("declaration made"), blank=True)
    work_log = models.TextField(_("work log"), blank=True)
    statement = models.TextField(_("statement"), blank=True)
    cpd_activities = models.ManyToManyField(CpdActivity, blank=True, related_name="submissions")
    cpd_hours = models.JSONField(_("CPD hours by category at submission"), default=dict)

    # The audit sample (R21): drawn once per certificate, kind and due date, recorded.
    sample_key = models.CharField(_("sample key"), max_length=120)
    sample_draw = models.DecimalField(_("draw"), max_digits=7, decimal_places=6)
    sample_percent = models.DecimalField(_("sampling rate (%)"), max_digits=5, decimal_places=2)
    selected_for_audit = models.BooleanField(_("selected for audit"), default=False)

    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=16, choices=Recommendation.choices, blank=True
    )
    review_findings = models.TextField(_("review findings"), blank=True)

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_rationale = models.TextField(_("reasons for the decision"), blank=True)
    lifecycle_decision = models.ForeignKey(
        "certification.LifecycleDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recertification decision"),
    )
    expires_before = models.DateField(_("expiry before"), null=True, blank=True)
    expires_after = models.DateField(_("expiry after"), null=True, blank=True)
    suspension_decision = models.ForeignKey(
        "certification.LifecycleDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("suspension that followed"),
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind"],
                condition=Q(status__in=["submitted", "reviewed"]),
                name="submission_one_open_per_kind",
            )
        ]
        indexes = [models.Index(fields=["status", "kind"], name="submission_by_status")]

    @override
    def __str__(self) -> str:
        return self.reference

    def get_scheme_id(self) -> int:
        return int(self.certificate.scheme_id)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @transition(field=status, source=SubmissionStatus.SUBMITTED, target=SubmissionStatus.REVIEWED)
    def review(self) -> None:
        """A recertification reviewed: the evidence checked, a recommendation made."""

    @transition(
        field=status,
        source=[SubmissionStatus.SUBMITTED, SubmissionStatus.REVIEWED],
        target=SubmissionStatus.ACCEPTED,
    )
    def accept(self) -> None:
        """Surveillance accepted by the reviewer; recertification granted by a decision maker."""

    @transition(
        field=status,
        source=[SubmissionStatus.SUBMITTED, SubmissionStatus.REVIEWED],
        target=SubmissionStatus.REFUSED,
    )
    def refuse(self) -> None:
        """Surveillance refused by the reviewer; recertification refused by a decision maker."""


class SubmissionFile(StoredFile, TimeStampedModel):
    """Evidence attached to a submission (a work log, a re-examination result, a letter)."""

    class Kind(models.TextChoices):
        WORK_LOG = "work_log", _("Work log")
        REEXAMINATION = "reexamination", _("Re-examination result")
        EMPLOYER_LETTER = "employer_letter", _("Employer's statement")
        OTHER = "other", _("Other")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["submission_id", "pk"]

    @override
    def __str__(self) -> str:
        return self.original_name

    def get_scheme_id(self) -> int:
        return self.submission.get_scheme_id()


class NoticeKind(models.TextChoices):
    SURVEILLANCE_DUE = "surveillance_due", _("Surveillance due")
    SURVEILLANCE_OVERDUE = "surveillance_overdue", _("Surveillance overdue")
    WINDOW_OPENED = "window_opened", _("Recertification window opened")


class RecertificationNotice(models.Model):
    """A scheduled notice sent to a holder: at most once per certificate, kind and date."""

    certificate = models.ForeignKey(
        "certification.Certificate", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    for_date = models.DateField(_("for the date"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["certificate_id", "sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind", "for_date"], name="recertification_notice_once"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.kind} {self.for_date}"
