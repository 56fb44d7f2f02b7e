"""Exam statistics and standard setting on the item bank's forms (ISO/IEC 17024 9.3.1, 9.3.5).

* `FormAdministration` + `CandidateResponse`: the item-level responses of one administration of
  a form (online delivery or paper answer sheets), kept so every analysis can be reproduced.
* `FormAnalysis`: one run of the psychometrics engine over chosen administrations (the JSON
  report and the headline figures).
* `StatisticsReview`: the 9.3.5 evidence — a review opened on schedule (R19) or on request and
  closed only with a conclusion by a psychometrician; `ReviewFinding` lists the items to revise,
  retire or re-key. `StatisticsReviewPolicy` says when reviews are due (per bank or per form).
* `StandardSettingStudy` (modified Angoff) with its judges, rounds and ratings; once approved by
  someone other than its facilitator its pass mark is the form's pass rule. `FormRelease` puts a
  form into use, only with such an approved cut score (R18).

Imported at the end of `itembank.models`, so Django registers them in the `itembank` app.
"""

from __future__ import annotations

import datetime as dt
from typing import override

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from peritus.core.models import TimeStampedModel

DEFAULT_REVIEW_INTERVAL_MONTHS = 12
DEFAULT_COMPLETION_DAYS = 30


class ResponseSource(models.TextChoices):
    ONLINE = "online", _("Online delivery")
    PAPER = "paper", _("Paper answer sheets")


class FormAdministration(TimeStampedModel):
    """The responses of one administration of an exam form: one sitting, or one batch of sheets."""

    form = models.ForeignKey(
        "itembank.ExamForm", on_delete=models.PROTECT, related_name="administrations"
    )
    administered_on = models.DateField(_("administered on"))
    source = models.CharField(_("source"), max_length=16, choices=ResponseSource.choices)
    reference = models.CharField(
        _("reference"),
        max_length=80,
        blank=True,
        help_text=_("The exam event or the batch of answer sheets these responses come from"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: recorded by exam delivery itself"),
    )
    candidate_count = models.PositiveIntegerField(_("candidates"))
    responses_sha256 = models.CharField(
        max_length=64, help_text=_("Hash of the responses: the same data is never recorded twice")
    )

    class Meta:
        ordering = ["form_id", "administered_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "responses_sha256"], name="administration_responses_unique"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.form} {self.administered_on:%Y-%m-%d} ({self.get_source_display()})"

    def get_scheme_id(self) -> int:
        return self.form.get_scheme_id()


class CandidateResponse(TimeStampedModel):
    """One candidate's answers in one administration.

    `answers` maps an item version id (as text) to the selected option letters (``"B"``,
    ``"AC"``; letters follow the order of the options in the item version, as on the printed
    booklet) or, for items marked by a person or scored by delivery, a whole-number score. An
    item that is absent was omitted.
    """

    administration = models.ForeignKey(
        FormAdministration, on_delete=models.PROTECT, related_name="responses"
    )
    candidate_code = models.CharField(
        _("candidate"), max_length=64, help_text=_("The candidate's code on the sheet or sitting")
    )
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    group = models.CharField(
        _("group"), max_length=40, blank=True, help_text=_("A group label for DIF, if recorded")
    )
    answers = models.JSONField(default=dict)

    class Meta:
        ordering = ["administration_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "candidate_code"], name="response_candidate_unique"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.candidate_code} in {self.administration_id}"


class AnalysisModel(models.TextChoices):
    AUTO = "auto", _("Automatic (2PL or Rasch when the number of candidates allows)")
    NONE = "none", _("Classical only")
    RASCH = "rasch", _("Rasch")
    TWO_PL = "2pl", _("Two-parameter logistic (2PL)")


class DifGrouping(models.TextChoices):
    NONE = "none", _("No DIF analysis")
    SOURCE = "source", _("Mode of delivery (online or paper)")
    LANGUAGE = "language", _("Language of assessment (from the application)")
    RECORDED = "recorded", _("Group recorded with the responses")


class FormAnalysis(TimeStampedModel):
    """One run of the psychometrics engine over chosen administrations of a form."""

    form = models.ForeignKey("itembank.ExamForm", on_delete=models.PROTECT, related_name="analyses")
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the scheduled review job"),
    )
    administrations = models.ManyToManyField(FormAdministration, related_name="analyses")
    candidate_count = models.PositiveIntegerField(_("candidates"))
    model_requested = models.CharField(max_length=8, choices=AnalysisModel.choices)
    model_used = models.CharField(max_length=8, choices=AnalysisModel.choices)
    cut = models.DecimalField(
        _("cut (raw score)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The form's pass mark the decision consistency was computed at"),
    )
    dif_grouping = models.CharField(
        max_length=12, choices=DifGrouping.choices, default=DifGrouping.NONE
    )
    thresholds = models.JSONField(default=dict)
    report = models.JSONField(default=dict, help_text=_("The engine's JSON report"))
    alpha = models.FloatField(null=True, blank=True)
    sem = models.FloatField(null=True, blank=True)
    mean = models.FloatField(null=True, blank=True)
    sd = models.FloatField(null=True, blank=True)
    pass_rate = models.FloatField(null=True, blank=True)
    decision_consistency = models.FloatField(null=True, blank=True)
    flagged_items = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "form analyses"

    @override
    def __str__(self) -> str:
        return f"{self.form} analysis {self.pk}"

    def get_scheme_id(self) -> int:
        return self.form.get_scheme_id()


class StatisticsReviewPolicy(TimeStampedModel):
    """When a form's statistics must be reviewed again (R19): a bank's default, or one form's."""

    bank = models.ForeignKey(
        "itembank.ItemBank", on_delete=models.PROTECT, related_name="statistics_review_policies"
    )
    form = models.ForeignKey(
        "itembank.ExamForm", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    interval_months = models.PositiveSmallIntegerField(
        _("every so many months"), null=True, blank=True, default=DEFAULT_REVIEW_INTERVAL_MONTHS
    )
    interval_administrations = models.PositiveSmallIntegerField(
        _("every so many administrations"), null=True, blank=True
    )
    completion_days = models.PositiveSmallIntegerField(
        _("days to complete a review"), default=DEFAULT_COMPLETION_DAYS
    )
    model = models.CharField(
        _("IRT model"), max_length=8, choices=AnalysisModel.choices, default=AnalysisModel.AUTO
    )
    dif_grouping = models.CharField(
        _("DIF by"), max_length=12, choices=DifGrouping.choices, default=DifGrouping.NONE
    )
    thresholds = models.JSONField(_("flag thresholds"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["bank_id", "form_id"]
        verbose_name_plural = "statistics review policies"
        constraints = [
            models.UniqueConstraint(
                fields=["bank"], condition=Q(form__isnull=True), name="review_policy_bank_unique"
            ),
            models.UniqueConstraint(
                fields=["form"], condition=Q(form__isnull=False), name="review_policy_form_unique"
            ),
            models.CheckConstraint(
                condition=Q(interval_months__isnull=False)
                | Q(interval_administrations__isnull=False),
                name="review_policy_has_interval",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"review policy of {self.form or self.bank}"

    def get_scheme_id(self) -> int:
        return self.bank.get_scheme_id()


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ReviewTrigger(models.TextChoices):
    INTERVAL = "interval", _("The review interval has passed")
    ADMINISTRATIONS = "administrations", _("Enough administrations since the last review")
    REQUESTED = "requested", _("Opened by a psychometrician")


class ReviewConclusion(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted: the form performs as intended")
    ITEMS_TO_REVISE = "items_to_revise", _("Items to revise")
    ITEMS_TO_RETIRE = "items_to_retire", _("Items to retire")
    KEY_CHANGES = "key_changes", _("Key changes")


class FindingAction(models.TextChoices):
    REVISE = "revise", _("Revise")
    RETIRE = "retire", _("Retire")
    KEY_CHANGE = "key_change", _("Change the key")


CONCLUSION_ACTION = {
    ReviewConclusion.ITEMS_TO_REVISE: FindingAction.REVISE,
    ReviewConclusion.ITEMS_TO_RETIRE: FindingAction.RETIRE,
    ReviewConclusion.KEY_CHANGES: FindingAction.KEY_CHANGE,
}


class StatisticsReview(FSMModelMixin, TimeStampedModel):
    """A review of a form's statistics (clause 9.3.5): opened when due, closed with a conclusion."""

    form = models.ForeignKey(
        "itembank.ExamForm", on_delete=models.PROTECT, related_name="statistics_reviews"
    )
    status = FSMField(
        max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.OPEN, protected=True
    )
    trigger = models.CharField(max_length=16, choices=ReviewTrigger.choices)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: opened by the scheduled job"),
    )
    opened_on = models.DateField(
        _("opened on"),
        null=True,
        help_text=_("The day the review was due and opened (the job may catch up on past days)"),
    )
    due_on = models.DateField(_("to be completed by"))
    analysis = models.ForeignKey(
        FormAnalysis, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    analysis_problem = models.CharField(
        max_length=300, blank=True, help_text=_("Why statistics could not be computed")
    )
    conclusion = models.CharField(
        _("conclusion"), max_length=24, choices=ReviewConclusion.choices, blank=True
    )
    summary = models.TextField(_("summary of the review"), blank=True)
    corrective_action_required = models.BooleanField(
        _("deficiencies need corrective action"), default=False
    )
    corrective_action = models.TextField(_("deficiency and corrective action"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    covered_until = models.DateField(
        null=True, blank=True, help_text=_("The last administration the conclusion covers")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form"], condition=Q(status="open"), name="one_open_review_per_form"
            ),
            models.CheckConstraint(
                condition=Q(status="open")
                | (~Q(conclusion="") & Q(reviewer__isnull=False) & Q(closed_at__isnull=False)),
                name="closed_review_has_conclusion",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"statistics review of {self.form} opened {self.created_at:%Y-%m-%d}"

    def get_scheme_id(self) -> int:
        return self.form.get_scheme_id()

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == ReviewStatus.OPEN and today > self.due_on

    @transition(field=status, source=ReviewStatus.OPEN, target=ReviewStatus.CLOSED)
    def close(self) -> None:
        """Closed with a conclusion; the service checks it."""


class ReviewFinding(TimeStampedModel):
    """An item the review decided to revise, retire or re-key."""

    review = models.ForeignKey(StatisticsReview, on_delete=models.PROTECT, related_name="findings")
    item_version = models.ForeignKey(
        "itembank.ItemVersion", on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=12, choices=FindingAction.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["review_id", "action", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "item_version", "action"], name="review_finding_unique"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.item_version}"


class StandardSettingMethod(models.TextChoices):
    MODIFIED_ANGOFF = "modified_angoff", _("Modified Angoff")


class StudyStatus(models.TextChoices):
    SETUP = "setup", _("Setting up")
    ROUND_OPEN = "round_open", _("Judges are rating")
    BETWEEN_ROUNDS = "between_rounds", _("Discussion between rounds")
    COMPUTED = "computed", _("Cut score awaiting approval")
    APPROVED = "approved", _("Approved (the form's pass rule)")
    SUPERSEDED = "superseded", _("Superseded by a later study")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STUDY_STATUSES = (
    StudyStatus.SETUP,
    StudyStatus.ROUND_OPEN,
    StudyStatus.BETWEEN_ROUNDS,
    StudyStatus.COMPUTED,
)


class StandardSettingStudy(FSMModelMixin, TimeStampedModel):
    """A standard-setting study of one form; its approved pass mark is the form's pass rule (R18)."""

    form = models.ForeignKey(
        "itembank.ExamForm", on_delete=models.PROTECT, related_name="standard_setting_studies"
    )
    method = models.CharField(
        max_length=20,
        choices=StandardSettingMethod.choices,
        default=StandardSettingMethod.MODIFIED_ANGOFF,
    )
    status = FSMField(
        max_length=16, choices=StudyStatus.choices, default=StudyStatus.SETUP, protected=True
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    candidate_description = models.TextField(
        _("the minimally competent candidate"),
        help_text=_("What the borderline candidate can and cannot do; judges rate against it"),
    )
    max_rounds = models.PositiveSmallIntegerField(_("rounds at most"), default=2)
    collect_compromise = models.BooleanField(
        _("ask judges for Hofstee and Beuk judgements"), default=True
    )
    current_round = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    cut_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    standard_error = models.FloatField(null=True, blank=True)
    pass_mark = models.DecimalField(
        _("pass mark (raw score)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    pass_mark_rationale = models.TextField(blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "standard-setting studies"
        constraints = [
            models.UniqueConstraint(
                fields=["form"],
                condition=Q(status__in=["setup", "round_open", "between_rounds", "computed"]),
                name="one_active_study_per_form",
            ),
            models.UniqueConstraint(
                fields=["form"], condition=Q(status="approved"), name="one_approved_study_per_form"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.get_method_display()} study {self.pk} of {self.form}"

    def get_scheme_id(self) -> int:
        return self.form.get_scheme_id()

    @transition(
        field=status,
        source=[StudyStatus.SETUP, StudyStatus.BETWEEN_ROUNDS],
        target=StudyStatus.ROUND_OPEN,
    )
    def open_round(self) -> None:
        """Judges rate every item of the form."""

    @transition(field=status, source=StudyStatus.ROUND_OPEN, target=StudyStatus.BETWEEN_ROUNDS)
    def close_round(self) -> None:
        """Every judge has submitted; the panel discusses the impact data."""

    @transition(field=status, source=StudyStatus.BETWEEN_ROUNDS, target=StudyStatus.COMPUTED)
    def compute(self) -> None:
        """The cut score is computed from the final round and proposed for approval."""

    @transition(field=status, source=StudyStatus.COMPUTED, target=StudyStatus.APPROVED)
    def approve(self) -> None:
        """Approved by someone other than the facilitator: the form's pass rule."""

    @transition(field=status, source=StudyStatus.COMPUTED, target=StudyStatus.BETWEEN_ROUNDS)
    def reject(self) -> None:
        """Sent back for another round or another proposal."""

    @transition(field=status, source=StudyStatus.APPROVED, target=StudyStatus.SUPERSEDED)
    def supersede(self) -> None:
        """A later approved study replaces this pass rule."""

    @transition(field=status, source=list(ACTIVE_STUDY_STATUSES), target=StudyStatus.CANCELLED)
    def cancel(self) -> None:
        """Abandoned before approval."""


class StudyJudge(TimeStampedModel):
    """A judge of a study: who judged, their declaration, their compromise judgements."""

    study = models.ForeignKey(StandardSettingStudy, on_delete=models.PROTECT, related_name="judges")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="standard_setting_judgings"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(null=True, blank=True)
    conflict_declared = models.BooleanField(default=False)
    declaration_note = models.TextField(blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.CharField(max_length=300, blank=True)
    rounds_submitted = models.PositiveSmallIntegerField(default=0)
    # Compromise judgements, as percentages (Hofstee 1983; Beuk 1984)
    hofstee_min_cut = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    hofstee_max_cut = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    hofstee_min_fail = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    hofstee_max_fail = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    beuk_cut = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    beuk_pass_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["study_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["study", "user"], name="study_judge_unique"),
        ]

    @override
    def __str__(self) -> str:
        return f"judge {self.user_id} of study {self.study_id}"

    def get_scheme_id(self) -> int:
        return self.study.get_scheme_id()

    @property
    def active(self) -> bool:
        return self.removed_at is None

    @property
    def has_compromise(self) -> bool:
        return None not in (
            self.hofstee_min_cut,
            self.hofstee_max_cut,
            self.hofstee_min_fail,
            self.hofstee_max_fail,
            self.beuk_cut,
            self.beuk_pass_rate,
        )


class StudyRound(TimeStampedModel):
    """One round of ratings: when it closed, the discussion that followed, its impact data."""

    study = models.ForeignKey(StandardSettingStudy, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    closed_at = models.DateTimeField(null=True, blank=True)
    discussion_notes = models.TextField(_("discussion after the round"), blank=True)
    impact = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["study_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="study_round_unique"),
        ]

    @override
    def __str__(self) -> str:
        return f"round {self.number} of study {self.study_id}"


class AngoffRating(TimeStampedModel):
    """A judge's rating of one item in one round: the percentage of the item's points a minimally
    competent candidate would earn (for a one-point item, how many of 100 would answer right)."""

    judge = models.ForeignKey(StudyJudge, on_delete=models.PROTECT, related_name="ratings")
    round_number = models.PositiveSmallIntegerField()
    item_version = models.ForeignKey(
        "itembank.ItemVersion", on_delete=models.PROTECT, related_name="+"
    )
    rating = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["judge_id", "round_number", "item_version_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["judge", "round_number", "item_version"], name="angoff_rating_unique"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=0) & Q(rating__lte=100), name="angoff_rating_percent"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.rating}% by judge {self.judge_id} in round {self.round_number}"


class FormRelease(TimeStampedModel):
    """A frozen form put into use for live sittings, with the approved cut score in force (R18)."""

    form = models.OneToOneField(
        "itembank.ExamForm", on_delete=models.PROTECT, related_name="release"
    )
    study = models.ForeignKey(StandardSettingStudy, on_delete=models.PROTECT, related_name="+")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField()

    class Meta:
        ordering = ["-released_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.form} released {self.released_at:%Y-%m-%d}"
