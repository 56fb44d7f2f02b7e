"""The item bank, blueprints and exam forms (ISO/IEC 17024 clauses 9.2, 9.3, 5.2/6.4 confidentiality).

An item belongs to one bank (one scheme). Every edit makes a new `ItemVersion`; versions are never
changed afterwards, and a form references versions, so a delivered form never changes under a
candidate. The item's status follows draft → in review → approved → pilot → operational → retired;
a reviewer is never an author of the item (checked in services).
"""

from __future__ import annotations

from decimal import Decimal
from typing import override

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from peritus.core.models import TimeStampedModel


class ItemBank(TimeStampedModel):
    """The items of one scheme. Access is by role and scheme (item roles only; R15)."""

    scheme = models.ForeignKey(
        "schemes.Scheme", on_delete=models.PROTECT, related_name="item_banks"
    )
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("default language"), max_length=10, default="en")
    exposure_limit = models.PositiveIntegerField(
        _("exposure limit"),
        default=500,
        help_text=_("Deliveries after which an item rests and is kept off new forms"),
    )
    rest_days = models.PositiveSmallIntegerField(_("rest period (days)"), default=180)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    @override
    def __str__(self) -> str:
        return self.name

    def get_scheme_id(self) -> int:
        return int(self.scheme_id)


class Stimulus(TimeStampedModel):
    """A shared stimulus (a case, a figure, a passage) that several items refer to."""

    bank = models.ForeignKey(ItemBank, on_delete=models.PROTECT, related_name="stimuli")
    identifier = models.CharField(_("identifier"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Canonical XHTML fragment"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["bank_id", "identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "identifier"], name="stimulus_identifier_unique"
            )
        ]

    @override
    def __str__(self) -> str:
        return self.title

    def get_scheme_id(self) -> int:
        return self.bank.get_scheme_id()


class MediaFile(TimeStampedModel):
    """A figure used by items; the bytes live in private storage, written after commit."""

    bank = models.ForeignKey(ItemBank, on_delete=models.PROTECT, related_name="media_files")
    path = models.CharField(_("path"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255)

    class Meta:
        ordering = ["bank_id", "path"]
        constraints = [models.UniqueConstraint(fields=["bank", "path"], name="media_path_unique")]

    @override
    def __str__(self) -> str:
        return self.path

    def get_scheme_id(self) -> int:
        return self.bank.get_scheme_id()


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PILOT = "pilot", _("Pilot")
    OPERATIONAL = "operational", _("Operational")
    RETIRED = "retired", _("Retired")


class CognitiveLevel(models.TextChoices):
    REMEMBER = "remember", _("Remember")
    UNDERSTAND = "understand", _("Understand")
    APPLY = "apply", _("Apply")
    ANALYSE = "analyse", _("Analyse")
    EVALUATE = "evaluate", _("Evaluate")
    CREATE = "create", _("Create")


class InteractionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_RESPONSE = "multiple_response", _("Multiple response")
    TRUE_FALSE = "true_false", _("True / false")
    TEXT_ENTRY = "text_entry", _("Text entry")
    INLINE_CHOICE = "inline_choice", _("Inline choice")
    ORDER = "order", _("Ordering")
    MATCH = "match", _("Matching")
    NUMERIC_ENTRY = "numeric_entry", _("Numeric entry")
    EXTENDED_RESPONSE = "extended_response", _("Extended response (rubric)")


ASSEMBLABLE_STATUSES = (ItemStatus.OPERATIONAL, ItemStatus.PILOT)
EDITABLE_STATUSES = (
    ItemStatus.DRAFT,
    ItemStatus.APPROVED,
    ItemStatus.PILOT,
    ItemStatus.OPERATIONAL,
)


class Item(FSMModelMixin, TimeStampedModel):
    """An exam item: its identity, classification and lifecycle. Its text lives in versions."""

    bank = models.ForeignKey(ItemBank, on_delete=models.PROTECT, related_name="items")
    identifier = models.CharField(_("identifier"), max_length=64, help_text=_("QTI identifier"))
    status = FSMField(
        _("status"),
        max_length=16,
        choices=ItemStatus.choices,
        default=ItemStatus.DRAFT,
        protected=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authored_items",
        help_text=_("Empty: brought in by a QTI import run from the command line"),
    )
    current_version = models.ForeignKey(
        "ItemVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    competence_domain = models.ForeignKey(
        "schemes.CompetenceDomain",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    competence_task = models.ForeignKey(
        "schemes.CompetenceTask",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    cognitive_level = models.CharField(
        _("cognitive level"), max_length=16, choices=CognitiveLevel.choices, blank=True
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    enemies = models.ManyToManyField("self", blank=True, symmetrical=True)
    exposure_count = models.PositiveIntegerField(_("deliveries"), default=0)
    last_exposed_at = models.DateTimeField(null=True, blank=True)
    resting_until = models.DateField(_("resting until"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["exposure_count", "last_exposed_at"])

    class Meta:
        ordering = ["bank_id", "identifier"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "identifier"], name="item_identifier_unique")
        ]
        indexes = [models.Index(fields=["bank", "status"])]

    @override
    def __str__(self) -> str:
        return self.identifier

    def get_scheme_id(self) -> int:
        return self.bank.get_scheme_id()

    @transition(field=status, source=ItemStatus.DRAFT, target=ItemStatus.IN_REVIEW)
    def submit(self) -> None:
        """Sent to a reviewer who did not write it."""

    @transition(field=status, source=ItemStatus.IN_REVIEW, target=ItemStatus.APPROVED)
    def approve(self) -> None:
        """The reviewer accepts the version under review."""

    @transition(field=status, source=ItemStatus.IN_REVIEW, target=ItemStatus.DRAFT)
    def return_to_author(self) -> None:
        """The reviewer asks for changes."""

    @transition(field=status, source=ItemStatus.APPROVED, target=ItemStatus.PILOT)
    def pilot(self) -> None:
        """Field-tested, unscored, to gather statistics."""

    @transition(
        field=status, source=[ItemStatus.APPROVED, ItemStatus.PILOT], target=ItemStatus.OPERATIONAL
    )
    def make_operational(self) -> None:
        """Scored on live forms."""

    @transition(
        field=status,
        source=[ItemStatus.DRAFT, ItemStatus.APPROVED, ItemStatus.PILOT, ItemStatus.OPERATIONAL],
        target=ItemStatus.RETIRED,
    )
    def retire(self) -> None:
        """Never used on new forms; existing forms keep their versions."""

    @transition(field=status, source=list(EDITABLE_STATUSES), target=ItemStatus.DRAFT)
    def revise(self) -> None:
        """A new version was written; it must be reviewed again."""


class ItemVersion(TimeStampedModel):
    """One immutable version of an item's content (ItemContent as JSON)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=10, default="en")
    interaction = models.CharField(max_length=24, choices=InteractionKind.choices)
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    max_score = models.DecimalField(max_digits=8, decimal_places=2)
    stimulus = models.ForeignKey(
        Stimulus, null=True, blank=True, on_delete=models.PROTECT, related_name="item_versions"
    )
    references = models.TextField(_("references"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="item_versions",
    )
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    used_at = models.DateTimeField(
        null=True, blank=True, help_text=_("First put on an approved form; never changed after")
    )

    class Meta:
        ordering = ["item_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_number_unique")
        ]

    @override
    def __str__(self) -> str:
        return f"{self.item.identifier} v{self.number}"

    def get_scheme_id(self) -> int:
        return self.item.get_scheme_id()


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REQUEST_CHANGES = "request_changes", _("Request changes")


class ItemReview(TimeStampedModel):
    """A review of one version by someone who did not write the item."""

    item_version = models.ForeignKey(ItemVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="item_reviews"
    )
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.item_version} — {self.get_decision_display()}"


class ItemStatistics(TimeStampedModel):
    """Statistics of one item version from one analysis (psychometrics engine or an import)."""

    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="statistics"
    )
    p_value = models.FloatField(null=True, blank=True)
    point_biserial = models.FloatField(null=True, blank=True)
    irt_a = models.FloatField(null=True, blank=True)
    irt_b = models.FloatField(null=True, blank=True)
    n = models.PositiveIntegerField()
    computed_at = models.DateTimeField()
    source = models.CharField(max_length=100, help_text=_("Which analysis produced these figures"))

    class Meta:
        ordering = ["item_version_id", "-computed_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.item_version} statistics of {self.computed_at:%Y-%m-%d}"


class PassRule(models.TextChoices):
    FIXED = "fixed", _("Fixed pass mark")
    STANDARD_SETTING = "standard_setting", _("From standard setting (cut score)")


class BlueprintStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Blueprint(FSMModelMixin, TimeStampedModel):
    """What every form of an exam component must contain."""

    bank = models.ForeignKey(ItemBank, on_delete=models.PROTECT, related_name="blueprints")
    component = models.ForeignKey(
        "schemes.AssessmentComponent", on_delete=models.PROTECT, related_name="blueprints"
    )
    name = models.CharField(_("name"), max_length=200)
    total_items = models.PositiveSmallIntegerField(_("number of items"))
    total_points = models.DecimalField(
        _("total points"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    time_limit_minutes = models.PositiveSmallIntegerField(_("time limit (minutes)"))
    pass_rule = models.CharField(max_length=20, choices=PassRule.choices, default=PassRule.FIXED)
    pass_mark = models.DecimalField(
        _("pass mark (raw score)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    target_mean_p = models.FloatField(
        _("target mean difficulty (p)"), null=True, blank=True,
        help_text=_("Used when items have statistics"),
    )  # fmt: skip
    target_tolerance = models.FloatField(_("tolerance on the mean p"), default=0.05)
    status = FSMField(
        max_length=16,
        choices=BlueprintStatus.choices,
        default=BlueprintStatus.DRAFT,
        protected=True,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["bank_id", "name"]

    @override
    def __str__(self) -> str:
        return self.name

    def get_scheme_id(self) -> int:
        return self.bank.get_scheme_id()

    @transition(field=status, source=BlueprintStatus.DRAFT, target=BlueprintStatus.APPROVED)
    def approve(self) -> None:
        """Forms may be assembled to it only once approved."""


class BlueprintRow(TimeStampedModel):
    """So many items (and optionally points) of one domain, at one cognitive level or any."""

    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="rows")
    competence_domain = models.ForeignKey(
        "schemes.CompetenceDomain", on_delete=models.PROTECT, related_name="blueprint_rows"
    )
    cognitive_level = models.CharField(
        max_length=16, choices=CognitiveLevel.choices, blank=True, help_text=_("Empty: any level")
    )
    item_count = models.PositiveSmallIntegerField(_("items"))
    min_points = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["blueprint_id", "competence_domain_id", "cognitive_level"]

    @override
    def __str__(self) -> str:
        return f"{self.competence_domain.code} {self.cognitive_level or '*'} × {self.item_count}"


class FormStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved (frozen)")
    RETIRED = "retired", _("Retired")


class ExamForm(FSMModelMixin, TimeStampedModel):
    """A fixed set of item versions meeting a blueprint. Frozen once approved."""

    blueprint = models.ForeignKey(Blueprint, on_delete=models.PROTECT, related_name="forms")
    code = models.CharField(_("form code"), max_length=32, unique=True)
    status = FSMField(
        max_length=16, choices=FormStatus.choices, default=FormStatus.DRAFT, protected=True
    )
    parallel_group = models.CharField(max_length=40, blank=True)
    assembled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assembled_forms"
    )
    assembly_report = models.JSONField(default=dict)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["blueprint_id", "code"]

    @override
    def __str__(self) -> str:
        return self.code

    def get_scheme_id(self) -> int:
        return self.blueprint.get_scheme_id()

    @property
    def total_points(self) -> Decimal:
        return sum((entry.points for entry in self.entries.all()), Decimal(0))

    @transition(field=status, source=FormStatus.DRAFT, target=FormStatus.IN_REVIEW)
    def submit(self) -> None:
        """Sent for review."""

    @transition(field=status, source=FormStatus.IN_REVIEW, target=FormStatus.APPROVED)
    def approve(self) -> None:
        """Approved and frozen."""

    @transition(field=status, source=FormStatus.IN_REVIEW, target=FormStatus.DRAFT)
    def return_for_changes(self) -> None:
        """Back to draft."""

    @transition(field=status, source=FormStatus.APPROVED, target=FormStatus.RETIRED)
    def retire(self) -> None:
        """No longer used for new sittings."""


class ExamFormEntry(models.Model):
    """One item version at one position of a form."""

    form = models.ForeignKey(ExamForm, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveSmallIntegerField()
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="form_entries"
    )
    points = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["form_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "position"], name="form_entry_position_unique"),
            models.UniqueConstraint(fields=["form", "item_version"], name="form_entry_item_unique"),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.form.code} #{self.position}"


# Exam statistics and standard setting (9.3.1, 9.3.5; R18, R19) live in their own module; imported
# here so that Django registers them in this app.
from peritus.itembank.statistics.models import (  # noqa: E402
    AngoffRating,
    CandidateResponse,
    FormAdministration,
    FormAnalysis,
    FormRelease,
    ReviewFinding,
    StandardSettingStudy,
    StatisticsReview,
    StatisticsReviewPolicy,
    StudyJudge,
    StudyRound,
)

__all__ = [
    "AngoffRating",
    "Blueprint",
    "BlueprintRow",
    "CandidateResponse",
    "ExamForm",
    "ExamFormEntry",
    "FormAdministration",
    "FormAnalysis",
    "FormRelease",
    "Item",
    "ItemBank",
    "ItemReview",
    "ItemStatistics",
    "ItemVersion",
    "MediaFile",
    "ReviewFinding",
    "StandardSettingStudy",
    "StatisticsReview",
    "StatisticsReviewPolicy",
    "Stimulus",
    "StudyJudge",
    "StudyRound",
]
