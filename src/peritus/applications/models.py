"""Applications and eligibility (ISO/IEC 17024 clause 9.1).

A person applies to the current version of a scheme, supplies evidence for each prerequisite, signs
the attestation and the code of conduct, and submits. An eligibility reviewer records a finding for
each prerequisite and a reasoned outcome. Accommodation requests are decided with reasons and are
visible only to the person and the reviewers.
"""

from __future__ import annotations

import uuid
from typing import override

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from peritus.core.models import TimeStampedModel
from peritus.core.references import random_reference


def new_application_reference() -> str:
    """A public, unguessable reference such as A-7KQ2M9XD (never the primary key)."""
    return random_reference("A-")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    MORE_INFORMATION_REQUESTED = "more_information_requested", _("More information requested")
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.MORE_INFORMATION_REQUESTED,
)
WITHDRAWABLE_STATUSES = (*OPEN_STATUSES, ApplicationStatus.ELIGIBLE)


class Application(FSMModelMixin, TimeStampedModel):
    """A person's signed application for certification under one scheme version."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_application_reference
    )
    person = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("person"),
    )
    scheme = models.ForeignKey(
        "schemes.Scheme",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("scheme"),
    )
    scheme_version = models.ForeignKey(
        "schemes.SchemeVersion",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("scheme version"),
    )
    status = FSMField(
        _("status"),
        max_length=32,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        protected=True,
        db_index=True,
    )
    requested_scope = models.ManyToManyField(
        "schemes.ScopeItem",
        blank=True,
        related_name="applications",
        verbose_name=_("scope applied for"),
    )

    # What the applicant tells the body
    employer = models.CharField(_("current employer"), max_length=200, blank=True)
    education_summary = models.TextField(_("education"), blank=True)
    experience_summary = models.TextField(_("work experience"), blank=True)
    training_summary = models.TextField(_("training"), blank=True)
    assessment_language = models.CharField(
        _("language of assessment"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
    )

    # Consent to the public register (clause 9.4.9: the register lists only those who agree)
    register_consent = models.BooleanField(_("appear in the public register"), null=True)
    register_consent_at = models.DateTimeField(_("consent given or refused at"), null=True)

    # Signatures: exactly which text was signed, and when (clause 9.1.2)
    attestation_version = models.CharField(_("attestation version"), max_length=80, blank=True)
    attestation_sha256 = models.CharField(_("attestation text hash"), max_length=64, blank=True)
    attestation_signed_name = models.CharField(_("signed as"), max_length=300, blank=True)
    attestation_signed_at = models.DateTimeField(_("attestation signed at"), null=True)
    code_of_conduct_version = models.CharField(
        _("code of conduct version"), max_length=80, blank=True
    )
    code_of_conduct_sha256 = models.CharField(
        _("code of conduct text hash"), max_length=64, blank=True
    )
    code_of_conduct_accepted_at = models.DateTimeField(_("code of conduct accepted at"), null=True)

    # The life of the application
    submitted_at = models.DateTimeField(_("submitted at"), null=True)
    submission_sha256 = models.CharField(
        _("hash of the submitted application"),
        max_length=64,
        blank=True,
        help_text=_("Over the answers, signatures and evidence file hashes as submitted"),
    )
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("eligibility reviewer"),
    )
    review_started_at = models.DateTimeField(_("review started at"), null=True)
    decided_at = models.DateTimeField(_("eligibility decided at"), null=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["requested_scope"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["scheme", "status"])]

    @override
    def __str__(self) -> str:
        return self.reference

    def get_scheme_id(self) -> int:
        return int(self.scheme_id)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def attestation_signed(self) -> bool:
        return self.attestation_signed_at is not None

    @property
    def code_of_conduct_accepted(self) -> bool:
        return self.code_of_conduct_accepted_at is not None

    @transition(field=status, source=ApplicationStatus.DRAFT, target=ApplicationStatus.SUBMITTED)
    def submit(self) -> None:
        """Completeness (signatures, consent answer, evidence) is checked by the service."""

    @transition(
        field=status, source=ApplicationStatus.SUBMITTED, target=ApplicationStatus.IN_REVIEW
    )
    def start_review(self) -> None:
        """An eligibility reviewer takes the application."""

    @transition(
        field=status,
        source=ApplicationStatus.IN_REVIEW,
        target=ApplicationStatus.SUBMITTED,
    )
    def release_review(self) -> None:
        """The review goes back to the queue for another reviewer (absence, workload)."""

    @transition(
        field=status,
        source=(ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW),
        target=ApplicationStatus.MORE_INFORMATION_REQUESTED,
    )
    def request_information(self) -> None:
        """The reviewer (or an officer checking completeness) asks the applicant for something."""

    @transition(
        field=status,
        source=ApplicationStatus.MORE_INFORMATION_REQUESTED,
        target=GET_STATE(
            lambda application: (
                ApplicationStatus.IN_REVIEW
                if application.assigned_reviewer_id is not None
                else ApplicationStatus.SUBMITTED
            ),
            states=[ApplicationStatus.IN_REVIEW, ApplicationStatus.SUBMITTED],
        ),
    )
    def respond(self) -> None:
        """The applicant answered; the application returns to its reviewer, or to the queue."""

    @transition(field=status, source=ApplicationStatus.IN_REVIEW, target=ApplicationStatus.ELIGIBLE)
    def find_eligible(self) -> None:
        """The applicant becomes a candidate (accepted for assessment)."""

    @transition(
        field=status, source=ApplicationStatus.IN_REVIEW, target=ApplicationStatus.NOT_ELIGIBLE
    )
    def find_not_eligible(self) -> None:
        """Reasoned refusal; the person is told of their right to appeal."""

    @transition(field=status, source=WITHDRAWABLE_STATUSES, target=ApplicationStatus.WITHDRAWN)
    def withdraw(self) -> None:
        """The applicant withdraws; the record stays."""


class EvidenceKind(models.TextChoices):
    IDENTITY = "identity", _("Identity document")
    EDUCATION = "education", _("Education (diploma, transcript)")
    EXPERIENCE = "experience", _("Experience (employer letter, log)")
    TRAINING = "training", _("Training record")
    PRIOR_CERTIFICATE = "prior_certificate", _("Prior certificate")
    ACCOMMODATION_SUPPORT = "accommodation_support", _("Support for an accommodation request")
    OTHER = "other", _("Other")


def evidence_upload_to(instance: EvidenceFile, filename: str) -> str:
    """Stored under a random name: the uploaded file name never reaches the file system."""
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.content_type, "bin"
    )
    return f"evidence/{instance.application.reference}/{uuid.uuid4().hex}.{extension}"


class EvidenceFile(TimeStampedModel):
    """A file the applicant supplied: a diploma, an employer's letter, a medical statement…"""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="evidence_files"
    )
    prerequisite = models.ForeignKey(
        "schemes.Prerequisite",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_files",
        verbose_name=_("for the requirement"),
    )
    accommodation = models.ForeignKey(
        "applications.Accommodation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supporting_documents",
        help_text=_("Restricted: supports an accommodation request"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=EvidenceKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["application_id", "created_at", "pk"]

    @override
    def __str__(self) -> str:
        return self.original_name

    def get_scheme_id(self) -> int:
        return self.application.get_scheme_id()

    @property
    def is_restricted(self) -> bool:
        return self.accommodation_id is not None


class AccommodationKind(models.TextChoices):
    EXTRA_TIME = "extra_time", _("Extra time")
    REST_BREAKS = "rest_breaks", _("Rest breaks")
    SEPARATE_ROOM = "separate_room", _("Separate room")
    READER = "reader", _("Reader")
    SCRIBE = "scribe", _("Scribe")
    LARGE_PRINT = "large_print", _("Large print or enlarged screen")
    ASSISTIVE_TECHNOLOGY = "assistive_technology", _("Assistive technology")
    SIGN_LANGUAGE = "sign_language", _("Sign language interpreter")
    OTHER = "other", _("Other")


class AccommodationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Accommodation(FSMModelMixin, TimeStampedModel):
    """A request for an adjustment to the assessment (clause 9.2.4); restricted data."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="accommodations"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AccommodationKind.choices)
    extra_time_percent = models.PositiveSmallIntegerField(
        _("extra time (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(200)],
    )
    need = models.TextField(
        _("what you need and why"),
        help_text=_("Seen only by you and the eligibility reviewers"),
    )
    status = FSMField(
        _("status"),
        max_length=16,
        choices=AccommodationStatus.choices,
        default=AccommodationStatus.REQUESTED,
        protected=True,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    arrangements = models.TextField(
        _("arrangements granted"),
        blank=True,
        help_text=_("What the candidate will get, as the invigilators will apply it"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True)
    reasons = models.TextField(_("reasons"), blank=True)

    class Meta:
        ordering = ["application_id", "created_at", "pk"]

    @override
    def __str__(self) -> str:
        return str(self.get_kind_display())

    def get_scheme_id(self) -> int:
        return self.application.get_scheme_id()

    @transition(
        field=status, source=AccommodationStatus.REQUESTED, target=AccommodationStatus.APPROVED
    )
    def approve(self) -> None:
        """Applied to every attempt of the candidate."""

    @transition(
        field=status, source=AccommodationStatus.REQUESTED, target=AccommodationStatus.REFUSED
    )
    def refuse(self) -> None:
        """Refused with reasons the person can appeal."""


class InformationRequest(TimeStampedModel):
    """What a reviewer asked the applicant, and the answer."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="information_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("what is asked"))
    due_on = models.DateField(_("answer by"), null=True, blank=True)
    response = models.TextField(_("answer"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("answered at"), null=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True)

    class Meta:
        ordering = ["application_id", "created_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.application} — {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.responded_at is None


class EligibilityOutcome(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")


class EligibilityReview(TimeStampedModel):
    """The reviewer's reasoned outcome, with a finding for each prerequisite."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="eligibility_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=EligibilityOutcome.choices)
    reasons = models.TextField(_("reasons"))
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["application_id", "decided_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.application} — {self.get_outcome_display()}"

    def get_scheme_id(self) -> int:
        return self.application.get_scheme_id()


class FindingResult(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "not_applicable", _("Not applicable to the scope applied for")


class PrerequisiteFinding(models.Model):
    """The reviewer's tick for one prerequisite, with what they relied on."""

    review = models.ForeignKey(EligibilityReview, on_delete=models.PROTECT, related_name="findings")
    prerequisite = models.ForeignKey(
        "schemes.Prerequisite", on_delete=models.PROTECT, related_name="findings"
    )
    result = models.CharField(_("finding"), max_length=16, choices=FindingResult.choices)
    note = models.TextField(_("note"), blank=True)
    evidence_files = models.ManyToManyField(
        EvidenceFile, blank=True, related_name="findings", verbose_name=_("evidence relied on")
    )

    class Meta:
        ordering = ["review_id", "prerequisite__position", "prerequisite__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "prerequisite"], name="finding_one_per_prerequisite"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.prerequisite.code}: {self.get_result_display()}"
