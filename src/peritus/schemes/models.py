"""Certification schemes (ISO/IEC 17024 clause 8).

A scheme has versions. A version is drafted by the scheme manager, approved by a member of the
scheme committee who did not write it, then published; a published version is immutable, and new
applications use the scheme's one published version. Publishing a new version retires the previous
one; certificates issued under a retired version keep pointing at it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import override

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from peritus.core.models import TimeStampedModel

DEFAULT_STANDARD_REFERENCE = "ISO/IEC 17024:2012"


class Scheme(TimeStampedModel):
    """A certification scheme: one category of certified persons, with versions over time."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("One sentence for scheme lists")
    )
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    owner_name = models.CharField(
        _("scheme owner"),
        max_length=200,
        blank=True,
        help_text=_("The body that owns the scheme, when it is not this certification body"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    @override
    def __str__(self) -> str:
        return self.name

    def get_scheme_id(self) -> int:
        return int(self.pk)


class SchemeVersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved by the scheme committee")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class CombinationRule(models.TextChoices):
    """How the results of the assessment components combine into one pass or fail."""

    CONJUNCTIVE = "conjunctive", _("Every required component must be passed on its own")
    COMPENSATORY = "compensatory", _("The weighted total must reach the overall pass mark")
    HYBRID = (
        "hybrid",
        _(
            "The weighted total must reach the overall pass mark and every required component "
            "must be passed"
        ),
    )


class SchemeVersion(FSMModelMixin, TimeStampedModel):
    """One version of a scheme: everything a candidate is certified against (clause 8)."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="versions", verbose_name=_("scheme")
    )
    version = models.CharField(_("version"), max_length=20, help_text=_("A label such as 2026.1"))
    status = FSMField(
        _("status"),
        max_length=16,
        choices=SchemeVersionStatus.choices,
        default=SchemeVersionStatus.DRAFT,
        protected=True,
        db_index=True,
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
        verbose_name=_("based on"),
    )
    change_summary = models.TextField(
        _("what changed"), blank=True, help_text=_("What differs from the previous version")
    )

    # Scope and the job (clause 8.2 a, b)
    scope_statement = models.TextField(
        _("scope of certification"),
        blank=True,
        help_text=_("What a certified person is competent to do, in a few paragraphs"),
    )
    job_description = models.TextField(
        _("job and task description"), blank=True, help_text=_("From the current job analysis")
    )
    job_analysis_reference = models.CharField(
        _("job analysis reference"),
        max_length=200,
        blank=True,
        help_text=_("The study the competence definition rests on, with its date"),
    )
    standard_reference = models.CharField(
        _("standard or normative document"),
        max_length=200,
        default=DEFAULT_STANDARD_REFERENCE,
        help_text=_("Named on the certificate, with its version or date"),
    )
    assessment_overview = models.TextField(
        _("assessment process"),
        blank=True,
        help_text=_("How candidates are assessed, in words for the public scheme page"),
    )

    # Pass rule (clause 8.2, 9.3)
    combination_rule = models.CharField(
        _("rule combining the components"),
        max_length=16,
        choices=CombinationRule.choices,
        default=CombinationRule.CONJUNCTIVE,
    )
    overall_pass_percent = models.DecimalField(
        _("overall pass mark (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Weighted percentage needed for the compensatory and hybrid rules"),
    )

    # Validity, surveillance and recertification (clause 8.3, 9.6)
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    surveillance_interval_months = models.PositiveSmallIntegerField(
        _("surveillance interval (months)"),
        null=True,
        blank=True,
        help_text=_("Empty when the scheme has no surveillance between recertifications"),
    )
    surveillance_requirements = models.TextField(_("surveillance requirements"), blank=True)
    recertification_requirements = models.TextField(_("recertification requirements"), blank=True)
    recertification_window_months = models.PositiveSmallIntegerField(
        _("recertification window (months before expiry)"), default=6
    )
    cpd_hours_per_cycle = models.PositiveSmallIntegerField(
        _("continuing professional development (hours per cycle)"), null=True, blank=True
    )

    # Suspension, withdrawal, scope changes (clause 8.3, 9.5)
    suspension_criteria = models.TextField(_("criteria for suspension"), blank=True)
    withdrawal_criteria = models.TextField(_("criteria for withdrawal"), blank=True)
    scope_change_rules = models.TextField(
        _("rules for reducing or extending the scope"), blank=True
    )

    # What the person signs and accepts (clause 8.2, 9.1, 9.7)
    code_of_conduct = models.TextField(_("code of conduct"), blank=True)
    attestation_text = models.TextField(
        _("application attestation"),
        blank=True,
        help_text=_("The declaration every applicant signs"),
    )
    certificate_terms = models.TextField(
        _("rules on the use of certificates and marks"), blank=True
    )
    required_documents = models.TextField(
        _("documents every applicant supplies"),
        blank=True,
        help_text=_("Besides the evidence named with each prerequisite"),
    )

    # Public statements shown with the scheme (clause 7.2, rule 11: from approved data)
    appeals_policy = models.TextField(_("appeals process"), blank=True)
    complaints_policy = models.TextField(_("complaints process"), blank=True)
    impartiality_statement = models.TextField(_("impartiality statement"), blank=True)
    fees_note = models.TextField(_("notes on fees"), blank=True)

    # Who did what (clause 8: built by experts, approved by the committee; recorded)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("contributors"),
        help_text=_("Everyone who edited the draft; none of them may approve it"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_reference = models.CharField(
        _("committee decision reference"),
        max_length=200,
        blank=True,
        help_text=_("For instance the minutes of the committee meeting"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("retired by"),
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retirement_reason = models.TextField(_("why it was retired"), blank=True)

    history = HistoricalRecords(excluded_fields=["contributors"])

    class Meta:
        ordering = ["scheme_id", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "version"], name="scheme_version_label_unique"
            ),
            models.UniqueConstraint(
                fields=["scheme"],
                condition=Q(status="published"),
                name="scheme_one_published_version",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.scheme} {self.version}"

    def get_scheme_id(self) -> int:
        return int(self.scheme_id)

    @property
    def label(self) -> str:
        """How a version is named in signatures and on certificates: scheme code and version."""
        return f"{self.scheme.code} {self.version}"

    @property
    def is_editable(self) -> bool:
        return bool(self.status == SchemeVersionStatus.DRAFT)

    @transition(field=status, source=SchemeVersionStatus.DRAFT, target=SchemeVersionStatus.APPROVED)
    def approve(self) -> None:
        """The committee's approval; who approved and on what record is set by the service."""

    @transition(field=status, source=SchemeVersionStatus.APPROVED, target=SchemeVersionStatus.DRAFT)
    def reopen(self) -> None:
        """Back to draft for a change; the approval no longer holds."""

    @transition(
        field=status, source=SchemeVersionStatus.APPROVED, target=SchemeVersionStatus.PUBLISHED
    )
    def publish(self) -> None:
        """Only an approved version is published; completeness is checked by the service."""

    @transition(
        field=status, source=SchemeVersionStatus.PUBLISHED, target=SchemeVersionStatus.RETIRED
    )
    def retire(self) -> None:
        """No new applications; existing records keep pointing at this version."""


class ScopeItem(TimeStampedModel):
    """A unit of scope (a level, a method, a sector) that a certificate can carry or lose."""

    scheme_version = models.ForeignKey(
        SchemeVersion, on_delete=models.PROTECT, related_name="scope_items"
    )
    code = models.CharField(_("code"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    level = models.CharField(
        _("level"), max_length=40, blank=True, help_text=_("For instance Level 2")
    )
    description = models.TextField(_("description"), blank=True)
    limitations = models.TextField(
        _("limitations or conditions"),
        blank=True,
        help_text=_("Shown on the certificate with this scope item"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme_version_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme_version", "code"], name="scope_item_code_unique"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def get_scheme_id(self) -> int:
        return self.scheme_version.get_scheme_id()


class CompetenceDomain(TimeStampedModel):
    """A domain of the competence definition, weighted in the assessment blueprint."""

    scheme_version = models.ForeignKey(
        SchemeVersion, on_delete=models.PROTECT, related_name="competence_domains"
    )
    code = models.CharField(_("code"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme_version_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme_version", "code"], name="competence_domain_code_unique"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def get_scheme_id(self) -> int:
        return self.scheme_version.get_scheme_id()


class CompetenceTask(TimeStampedModel):
    """A task of the job analysis, with the knowledge and skills it needs."""

    domain = models.ForeignKey(CompetenceDomain, on_delete=models.PROTECT, related_name="tasks")
    code = models.CharField(_("code"), max_length=32)
    title = models.CharField(_("title"), max_length=300)
    knowledge_and_skills = models.TextField(_("knowledge and skills"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["domain_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "code"], name="competence_task_code_unique")
        ]

    @override
    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class PrerequisiteKind(models.TextChoices):
    EDUCATION = "education", _("Education")
    EXPERIENCE = "experience", _("Work experience")
    TRAINING = "training", _("Training")
    PRIOR_CERTIFICATE = "prior_certificate", _("Prior certificate")
    OTHER = "other", _("Other")


class Prerequisite(TimeStampedModel):
    """A criterion an eligibility reviewer ticks against the applicant's evidence (clause 9.1)."""

    scheme_version = models.ForeignKey(
        SchemeVersion, on_delete=models.PROTECT, related_name="prerequisites"
    )
    code = models.CharField(_("code"), max_length=32)
    kind = models.CharField(_("kind"), max_length=20, choices=PrerequisiteKind.choices)
    description = models.TextField(_("requirement"))
    minimum_months = models.PositiveSmallIntegerField(
        _("minimum months of experience"), null=True, blank=True
    )
    minimum_hours = models.PositiveSmallIntegerField(
        _("minimum hours of training"), null=True, blank=True
    )
    evidence_description = models.TextField(
        _("evidence to supply"),
        blank=True,
        help_text=_("What the applicant uploads to show this requirement is met"),
    )
    evidence_required = models.BooleanField(
        _("evidence file required"),
        default=True,
        help_text=_("An application cannot be submitted without a file for this requirement"),
    )
    alternative_group = models.CharField(
        _("alternative group"),
        max_length=32,
        blank=True,
        help_text=_(
            "Requirements sharing a group are alternative routes: meeting one of them is enough"
        ),
    )
    scope_items = models.ManyToManyField(
        ScopeItem,
        blank=True,
        related_name="prerequisites",
        verbose_name=_("applies to scope items"),
        help_text=_("Empty: applies to every scope item"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme_version_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme_version", "code"], name="prerequisite_code_unique"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.code} — {self.get_kind_display()}"

    def get_scheme_id(self) -> int:
        return self.scheme_version.get_scheme_id()


class AssessmentComponentKind(models.TextChoices):
    WRITTEN = "written", _("Written examination")
    PRACTICAL = "practical", _("Practical examination")
    ORAL = "oral", _("Oral examination")
    PORTFOLIO = "portfolio", _("Portfolio review")
    EXAM = "exam", _("Examination from the item bank")


class DeliveryMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    EITHER = "either", _("In person or online")


class AssessmentComponent(TimeStampedModel):
    """One part of the assessment, with its own pass mark and weight in the combination rule."""

    scheme_version = models.ForeignKey(
        SchemeVersion, on_delete=models.PROTECT, related_name="components"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=AssessmentComponentKind.choices)
    description = models.TextField(_("description"), blank=True)
    delivery = models.CharField(
        _("delivery"), max_length=16, choices=DeliveryMode.choices, default=DeliveryMode.IN_PERSON
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    max_score = models.DecimalField(
        _("maximum score"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    pass_mark = models.DecimalField(
        _("pass mark"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("The score needed to pass this component, on the same scale as the maximum"),
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
    )
    required = models.BooleanField(
        _("required"), default=True, help_text=_("Every candidate must take and pass it")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme_version_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme_version", "code"], name="assessment_component_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__lte=models.F("max_score")),
                name="assessment_component_pass_mark_within_max",
                violation_error_message=_("The pass mark cannot exceed the maximum score."),
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_scheme_id(self) -> int:
        return self.scheme_version.get_scheme_id()


class FeeKind(models.TextChoices):
    APPLICATION = "application", _("Application")
    ASSESSMENT = "assessment", _("Assessment")
    CERTIFICATION = "certification", _("Certification")
    ANNUAL = "annual", _("Annual maintenance")
    RECERTIFICATION = "recertification", _("Recertification")
    RESIT = "resit", _("Resit")
    OTHER = "other", _("Other")


class Fee(TimeStampedModel):
    """A fee published with the scheme version (clause 9.1: applicants are told the fees)."""

    scheme_version = models.ForeignKey(SchemeVersion, on_delete=models.PROTECT, related_name="fees")
    kind = models.CharField(_("kind"), max_length=20, choices=FeeKind.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme_version_id", "position", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.description}: {self.amount} {self.currency}"

    def get_scheme_id(self) -> int:
        return self.scheme_version.get_scheme_id()
