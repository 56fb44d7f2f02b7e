"""Reads of exam statistics and standard setting; lists are scoped by the caller's roles."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import list_users_with_role, role_grants
from peritus.itembank.models import ExamForm, FormStatus, ItemBank, ItemStatistics
from peritus.itembank.rules import behind_information_barrier
from peritus.itembank.statistics.models import (
    ACTIVE_STUDY_STATUSES,
    DEFAULT_COMPLETION_DAYS,
    DEFAULT_REVIEW_INTERVAL_MONTHS,
    AnalysisModel,
    DifGrouping,
    FormAdministration,
    FormAnalysis,
    FormRelease,
    ReviewStatus,
    StandardSettingStudy,
    StatisticsReview,
    StatisticsReviewPolicy,
    StudyJudge,
    StudyStatus,
)
from peritus.itembank.statistics.responses import FormItem, form_items
from peritus.itembank.statistics.rules import (
    CUT_SCORE_APPROVER_ROLES,
    JUDGE_ROLES,
    REVIEW_READER_ROLES,
)


def scheme_ids_with(user: Any, roles: Iterable[RoleCode]) -> set[int] | None:
    """Schemes where `user` holds one of `roles`; None means every scheme; empty means none."""
    wanted = {role.value for role in roles}
    grants = [g for g in role_grants(user) if g.active and g.role in wanted]
    if any(g.scheme_id is None for g in grants):
        return None
    return {g.scheme_id for g in grants if g.scheme_id is not None}


def _in_schemes[T: Any](
    queryset: QuerySet[T], lookup: str, schemes: set[int] | None
) -> QuerySet[T]:
    return queryset if schemes is None else queryset.filter(**{f"{lookup}__in": schemes})


# ----------------------------------------------------------------------------------------------
# The form's items, responses and analyses
# ----------------------------------------------------------------------------------------------


def form_items_of(form: ExamForm) -> list[FormItem]:
    """The form's entries as the statistics see them (keys included: never for templates)."""
    return form_items(form.entries.select_related("item_version__item"))


def list_administrations(form: ExamForm) -> QuerySet[FormAdministration]:
    return form.administrations.select_related("recorded_by").order_by("-administered_on", "-pk")


def list_analyses(form: ExamForm) -> QuerySet[FormAnalysis]:
    return (
        FormAnalysis.objects.filter(form=form)
        .defer("report")
        .select_related("run_by")
        .annotate(administration_count=Count("administrations"))
    )


def get_analysis(form: ExamForm, analysis_id: int) -> FormAnalysis:
    return FormAnalysis.objects.select_related("run_by", "form__blueprint__bank").get(
        form=form, pk=analysis_id
    )


def latest_p_values(version_ids: Sequence[int]) -> dict[int, float]:
    """The latest recorded p-value of each item version that has one."""
    latest: dict[int, float] = {}
    for row in (
        ItemStatistics.objects.filter(item_version_id__in=version_ids, p_value__isnull=False)
        .order_by("item_version_id", "-computed_at", "-pk")
        .values("item_version_id", "p_value")
    ):
        latest.setdefault(row["item_version_id"], float(row["p_value"] or 0.0))
    return latest


# ----------------------------------------------------------------------------------------------
# Review policy and reviews
# ----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class EffectivePolicy:
    interval_months: int | None = DEFAULT_REVIEW_INTERVAL_MONTHS
    interval_administrations: int | None = None
    completion_days: int = DEFAULT_COMPLETION_DAYS
    model: str = AnalysisModel.AUTO
    dif_grouping: str = DifGrouping.NONE
    thresholds: dict[str, Any] = dataclasses.field(default_factory=dict)
    source: str = "default"  # "form", "bank" or "default"


def get_policy_row(bank: ItemBank, form: ExamForm | None = None) -> StatisticsReviewPolicy | None:
    return StatisticsReviewPolicy.objects.filter(bank=bank, form=form).first()


def effective_policy(form: ExamForm) -> EffectivePolicy:
    """The form's own review policy, else its bank's, else 12 months (R19)."""
    rows = {
        row.form_id: row
        for row in StatisticsReviewPolicy.objects.filter(
            Q(form=form) | Q(bank_id=form.blueprint.bank_id, form__isnull=True)
        )
    }
    row = rows.get(form.pk) or rows.get(None)
    if row is None:
        return EffectivePolicy()
    return EffectivePolicy(
        interval_months=row.interval_months,
        interval_administrations=row.interval_administrations,
        completion_days=row.completion_days,
        model=row.model,
        dif_grouping=row.dif_grouping,
        thresholds=dict(row.thresholds),
        source="form" if row.form_id else "bank",
    )


def get_open_review(form: ExamForm) -> StatisticsReview | None:
    return StatisticsReview.objects.filter(form=form, status=ReviewStatus.OPEN).first()


def get_last_closed_review(form: ExamForm) -> StatisticsReview | None:
    return (
        StatisticsReview.objects.filter(form=form, status=ReviewStatus.CLOSED)
        .order_by("-closed_at", "-pk")
        .first()
    )


def list_reviews_of_form(form: ExamForm) -> QuerySet[StatisticsReview]:
    return StatisticsReview.objects.filter(form=form).select_related("reviewer", "opened_by")


def list_reviews_for(user: Any, *, status: str = "") -> QuerySet[StatisticsReview]:
    """Reviews of the schemes where `user` reads reviews, open ones first."""
    reviews = StatisticsReview.objects.select_related(
        "form__blueprint__bank__scheme", "reviewer", "analysis"
    ).defer("analysis__report")
    schemes = scheme_ids_with(user, REVIEW_READER_ROLES)
    if schemes is not None and not schemes:
        return reviews.none()
    reviews = _in_schemes(reviews, "form__blueprint__bank__scheme_id", schemes)
    if status:
        reviews = reviews.filter(status=status)
    return reviews.order_by("-status", "due_on", "-pk")


def count_overdue_reviews(user: Any, *, today: dt.date) -> int:
    return list_reviews_for(user, status=ReviewStatus.OPEN).filter(due_on__lt=today).count()


def get_review(review_id: int) -> StatisticsReview:
    return StatisticsReview.objects.select_related(
        "form__blueprint__bank__scheme", "form__blueprint__component", "reviewer", "opened_by",
        "analysis",
    ).get(pk=review_id)  # fmt: skip


# ----------------------------------------------------------------------------------------------
# Standard setting and the pass rule (R18)
# ----------------------------------------------------------------------------------------------


def get_approved_study(form: ExamForm) -> StandardSettingStudy | None:
    """The approved standard-setting study whose pass mark is the form's pass rule."""
    return StandardSettingStudy.objects.filter(form=form, status=StudyStatus.APPROVED).first()


def has_approved_cut_score(form: ExamForm) -> bool:
    """R18: the form has an approved standard-setting record (its pass rule)."""
    return StandardSettingStudy.objects.filter(form=form, status=StudyStatus.APPROVED).exists()


def get_form_pass_mark(form: ExamForm) -> Decimal | None:
    """The raw pass mark of the form (pass when score >= it), from its approved study."""
    study = get_approved_study(form)
    return study.pass_mark if study is not None else None


def analysis_cut(form: ExamForm) -> Decimal | None:
    """The cut a decision-consistency analysis uses: the approved pass mark, else the
    blueprint's fixed pass mark."""
    return get_form_pass_mark(form) or form.blueprint.pass_mark


def is_released(form: ExamForm) -> bool:
    return FormRelease.objects.filter(form=form).exists()


def list_released_forms(*, component: Any | None = None) -> QuerySet[ExamForm]:
    """Frozen forms released for live sittings with an approved cut score (R18)."""
    forms = ExamForm.objects.filter(status=FormStatus.APPROVED, release__isnull=False)
    if component is not None:
        forms = forms.filter(blueprint__component=component)
    return forms.select_related("blueprint", "release")


def get_active_study(form: ExamForm) -> StandardSettingStudy | None:
    return StandardSettingStudy.objects.filter(form=form, status__in=ACTIVE_STUDY_STATUSES).first()


def list_studies_of_form(form: ExamForm) -> QuerySet[StandardSettingStudy]:
    return StandardSettingStudy.objects.filter(form=form).select_related(
        "facilitator", "decided_by"
    )


def list_studies_for(user: Any) -> QuerySet[StandardSettingStudy]:
    """Studies of the schemes where `user` reads reviews or approves cut scores."""
    studies = StandardSettingStudy.objects.select_related(
        "form__blueprint__bank__scheme", "facilitator", "decided_by"
    )
    schemes = scheme_ids_with(user, (*REVIEW_READER_ROLES, *CUT_SCORE_APPROVER_ROLES))
    if schemes is not None and not schemes:
        return studies.none()
    return _in_schemes(studies, "form__blueprint__bank__scheme_id", schemes)


def get_study(study_id: int) -> StandardSettingStudy:
    return StandardSettingStudy.objects.select_related(
        "form__blueprint__bank__scheme", "facilitator", "decided_by"
    ).get(pk=study_id)


def list_judges(study: StandardSettingStudy) -> QuerySet[StudyJudge]:
    return study.judges.select_related("user").order_by("pk")


def get_judge(study: StandardSettingStudy, user: Any) -> StudyJudge | None:
    return study.judges.filter(user_id=getattr(user, "pk", 0), removed_at__isnull=True).first()


def list_judging_for(user: Any) -> QuerySet[StudyJudge]:
    """The studies `user` judges that are still running, for their own list of rating pages."""
    return (
        StudyJudge.objects.filter(
            user_id=getattr(user, "pk", 0),
            removed_at__isnull=True,
            study__status__in=ACTIVE_STUDY_STATUSES,
        )
        .select_related("study__form")
        .order_by("study__created_at")
    )


def count_rounds_awaiting(user: Any) -> int:
    """Open rounds in which `user` still has to submit ratings."""
    return sum(
        1
        for judge in list_judging_for(user)
        if judge.study.status == StudyStatus.ROUND_OPEN
        and judge.rounds_submitted < judge.study.current_round
    )


def administration_summary(form: ExamForm) -> dict[str, Any]:
    row = form.administrations.aggregate(
        count=Count("pk"), first=Min("administered_on"), last=Max("administered_on")
    )
    return {"count": row["count"] or 0, "first": row["first"], "last": row["last"]}


@dataclasses.dataclass(frozen=True)
class FormOverview:
    """One form of a bank as the statistics overview shows it."""

    form: ExamForm
    administrations: int
    last_administered: dt.date | None
    open_review: StatisticsReview | None
    last_review: StatisticsReview | None
    approved_study: StandardSettingStudy | None
    released: bool

    def overdue(self, today: dt.date) -> bool:
        return self.open_review is not None and self.open_review.is_overdue(today)


def bank_overview(bank: ItemBank) -> list[FormOverview]:
    """The bank's frozen forms with their administrations, reviews and pass rule (few queries)."""
    forms = list(
        ExamForm.objects.filter(
            blueprint__bank=bank, status__in=[FormStatus.APPROVED, FormStatus.RETIRED]
        )
        .select_related("blueprint")
        .annotate(
            administration_count=Count("administrations", distinct=True),
            last_administered=Max("administrations__administered_on"),
        )
        .order_by("code")
    )
    ids = [form.pk for form in forms]
    open_reviews: dict[int, StatisticsReview] = {}
    last_reviews: dict[int, StatisticsReview] = {}
    for review in StatisticsReview.objects.filter(form_id__in=ids).order_by("-closed_at", "-pk"):
        if review.status == ReviewStatus.OPEN:
            open_reviews[review.form_id] = review
        else:
            last_reviews.setdefault(review.form_id, review)
    studies = {
        study.form_id: study
        for study in StandardSettingStudy.objects.filter(
            form_id__in=ids, status=StudyStatus.APPROVED
        )
    }
    released = set(FormRelease.objects.filter(form_id__in=ids).values_list("form_id", flat=True))
    return [
        FormOverview(
            form=form,
            administrations=form.administration_count,
            last_administered=form.last_administered,
            open_review=open_reviews.get(form.pk),
            last_review=last_reviews.get(form.pk),
            approved_study=studies.get(form.pk),
            released=form.pk in released,
        )
        for form in forms
    ]


def eligible_judges(form: ExamForm, *, exclude: Any = None) -> QuerySet[User]:
    """Staff of the form's scheme whose roles qualify them to judge, not behind the
    information barrier (R15); the service checks each one again."""
    scheme_id = form.blueprint.bank.scheme_id
    ids: set[int] = set()
    for role in JUDGE_ROLES:
        ids.update(list_users_with_role(role, scheme_id=scheme_id).values_list("pk", flat=True))
    if exclude is not None:
        ids.discard(exclude.pk)
    allowed = [u.pk for u in User.objects.filter(pk__in=ids) if not behind_information_barrier(u)]
    return User.objects.filter(pk__in=allowed).order_by("family_name", "given_names", "pk")
