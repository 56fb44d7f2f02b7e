"""Conflict-of-interest declarations, their mitigations, trainer–trainee links and the impartiality
risk register (ISO/IEC 17024 clauses 4.3, 5.2, 6.1, 6.2).

The context of a declaration (an assessment event, an application, a decision …) is a generic
reference, so that this app stays below the apps whose records it is about (ADR: declarations
refer to their context generically).
"""

from __future__ import annotations

from typing import Any, override

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from peritus.core.models import TimeStampedModel


class ConflictNature(models.TextChoices):
    EMPLOYER = "employer", _("Employer or employee")
    TRAINER = "trainer", _("Trainer of the person")
    RELATIVE = "relative", _("Relative or close personal relationship")
    COLLEAGUE = "colleague", _("Colleague or same organisation")
    OTHER = "other", _("Other interest")


class ConflictDeclarationQuerySet(models.QuerySet["ConflictDeclaration"]):
    def about(self, context: models.Model) -> ConflictDeclarationQuerySet:
        return self.filter(
            context_type=ContentType.objects.get_for_model(context, for_concrete_model=False),
            context_id=context.pk,
        )

    def conflicts(self) -> ConflictDeclarationQuerySet:
        return self.filter(has_conflict=True)


class ConflictDeclaration(TimeStampedModel):
    """A member of the personnel declares whether they have an interest in a person's case.

    "No conflict" is recorded as explicitly as a conflict (R13: the act waits for a declaration).
    Declarations are never edited; a later one about the same person and context supersedes an
    earlier "no conflict" (a conflict, once declared, is handled by a mitigation, not retracted).
    """

    declarant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflict_declarations"
    )
    person = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, related_name="conflict_declarations"
    )
    context_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    context_id = models.PositiveBigIntegerField(null=True, blank=True)
    context = GenericForeignKey("context_type", "context_id")
    context_label = models.CharField(
        _("context"), max_length=200, blank=True, help_text=_("What the declaration was made for")
    )
    has_conflict = models.BooleanField(_("has a conflict of interest"))
    nature = models.CharField(
        _("nature of the interest"), max_length=20, choices=ConflictNature.choices, blank=True
    )
    details = models.TextField(_("details"), blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    objects = ConflictDeclarationQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at", "-pk"]
        indexes = [
            models.Index(fields=["declarant", "person"]),
            models.Index(fields=["context_type", "context_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(has_conflict=False, nature="")
                | (models.Q(has_conflict=True) & ~models.Q(nature="")),
                name="declaration_nature_only_with_conflict",
            )
        ]

    @override
    def __str__(self) -> str:
        verdict = _("conflict") if self.has_conflict else _("no conflict")
        return f"{self.declarant} — {self.person}: {verdict}"


class MitigationKind(models.TextChoices):
    SECOND_EXAMINER = "second_examiner", _("An independent second examiner marks as well")
    RECORDED_SESSION = "recorded_session", _("The session is recorded and reviewed")
    REASSIGNMENT = "reassignment", _("The work is reassigned to someone else")
    OTHER = "other", _("Other measure")


class MitigationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ConflictMitigation(FSMModelMixin, TimeStampedModel):
    """A measure that lets work go on despite a declared conflict (6.2), once another person approves it."""

    declaration = models.ForeignKey(
        ConflictDeclaration, on_delete=models.PROTECT, related_name="mitigations"
    )
    kind = models.CharField(_("measure"), max_length=20, choices=MitigationKind.choices)
    description = models.TextField(_("description of the measure"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = FSMField(
        choices=MitigationStatus.choices, default=MitigationStatus.PROPOSED, protected=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @transition(field=status, source=MitigationStatus.PROPOSED, target=MitigationStatus.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=MitigationStatus.PROPOSED, target=MitigationStatus.REJECTED)
    def reject(self) -> None:
        pass


class TrainingRecord(TimeStampedModel):
    """A member of the personnel trained a person (5.2): they may not examine or decide for them."""

    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_given"
    )
    person = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, related_name="training_records"
    )
    course = models.CharField(_("course"), max_length=200)
    provider = models.CharField(_("training provider"), max_length=200, blank=True)
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True, help_text=_("Empty: ongoing"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["trainer", "person"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="training_ends_after_it_starts",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.trainer} trained {self.person}: {self.course}"


class ThreatSource(models.TextChoices):
    """Sources of threats to impartiality that clause 4.3 names, plus the usual others."""

    OWNERSHIP = "ownership", _("Ownership")
    GOVERNANCE = "governance", _("Governance and management")
    SHARED_PERSONNEL = "shared_personnel", _("Shared personnel")
    FINANCES = "finances", _("Finances and sources of income")
    CONTRACTS = "contracts", _("Contracts")
    MARKETING = "marketing", _("Marketing")
    REFERRAL_FEES = "referral_fees", _("Commissions and referral fees")
    TRAINING = "training", _("Training and education")
    RELATIONSHIPS = "relationships", _("Personal relationships")
    OTHER = "other", _("Other")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONTROLLED = "controlled", _("Controlled")
    CLOSED = "closed", _("Closed")


def has_controls(risk: Any) -> bool:
    return bool(risk.controls.strip())


class ImpartialityRisk(FSMModelMixin, TimeStampedModel):
    """A threat to impartiality, how likely and serious it is, and how the body controls it (4.3)."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    threat = models.CharField(_("threat"), max_length=300)
    source = models.CharField(_("source"), max_length=20, choices=ThreatSource.choices)
    description = models.TextField(_("description"), blank=True)
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"))
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"))
    controls = models.TextField(
        _("controls"), blank=True, help_text=_("The safeguards that eliminate or reduce the threat")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="impartiality_risks"
    )
    review_due_on = models.DateField(_("next review"))
    status = FSMField(choices=RiskStatus.choices, default=RiskStatus.OPEN, protected=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    review_reminded_for = models.DateField(
        null=True, blank=True, help_text=_("The review date the committee was last reminded of")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "-likelihood", "-impact", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5)
                & models.Q(impact__gte=1, impact__lte=5),
                name="risk_rating_from_one_to_five",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.reference} {self.threat}"

    @property
    def rating(self) -> int:
        return self.likelihood * self.impact

    @transition(
        field=status,
        source=[RiskStatus.OPEN, RiskStatus.CONTROLLED],
        target=RiskStatus.CONTROLLED,
        conditions=[has_controls],
    )
    def control(self) -> None:
        pass

    @transition(
        field=status,
        source=[RiskStatus.OPEN, RiskStatus.CONTROLLED],
        target=RiskStatus.CLOSED,
        conditions=[has_controls],
    )
    def close(self) -> None:
        pass

    @transition(
        field=status, source=[RiskStatus.CLOSED, RiskStatus.CONTROLLED], target=RiskStatus.OPEN
    )
    def reopen(self) -> None:
        pass


class RiskReview(TimeStampedModel):
    """The impartiality committee reviewed a risk: its conclusion and the next review date."""

    class Conclusion(models.TextChoices):
        ADEQUATE = "adequate", _("Controls are adequate")
        INADEQUATE = "inadequate", _("Controls are not adequate: action needed")
        NO_LONGER_RELEVANT = "no_longer_relevant", _("The threat no longer exists")

    risk = models.ForeignKey(ImpartialityRisk, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField(default=timezone.localdate)
    conclusion = models.CharField(_("conclusion"), max_length=20, choices=Conclusion.choices)
    notes = models.TextField(_("notes"))
    next_review_on = models.DateField(_("next review"))

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.risk.reference} reviewed {self.reviewed_on}"
