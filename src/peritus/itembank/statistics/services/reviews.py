"""Reviews of exam statistics (clause 9.3.5, R19): their policy, opening on schedule, closing.

A review closes only with a conclusion, by a psychometrician of the scheme, on an analysis of
the form; the conclusion, the reviewer and the date are the 9.3.5 evidence. Deficiencies are
marked for corrective action (the QMS links a CAPA to them).

Error codes: `ItemBankError` (409) ``review_open``, ``review_closed``, ``analysis_required``,
``form_not_approved``; `ItemInputError` (422) ``interval_required``, ``invalid_interval``,
``conclusion_required``, ``summary_required``, ``findings_contradict_acceptance``,
``finding_required``, ``item_not_on_form``, ``corrective_action_required``,
``analysis_of_other_form``, ``invalid_model``, ``invalid_grouping``, ``bad_thresholds``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import list_users_with_role
from peritus.audit_trail.services import record_event
from peritus.core.errors import DomainError
from peritus.itembank.errors import ItemBankError, ItemInputError
from peritus.itembank.models import ExamForm, FormStatus, ItemBank
from peritus.itembank.services.items import require_item_role
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import (
    CONCLUSION_ACTION,
    AnalysisModel,
    DifGrouping,
    FindingAction,
    FormAnalysis,
    ReviewConclusion,
    ReviewFinding,
    ReviewStatus,
    ReviewTrigger,
    StatisticsReview,
    StatisticsReviewPolicy,
)
from peritus.itembank.statistics.schedule import Due, review_due
from peritus.itembank.statistics.selectors import (
    effective_policy,
    form_items_of,
    get_last_closed_review,
)
from peritus.itembank.statistics.services.analyses import _run_form_analysis, checked_thresholds
from peritus.notifications.services import queue_notification
from peritus.psychometrics import PsychometricsError

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class FindingInput:
    item_identifier: str
    action: str
    note: str = ""


@transaction.atomic(durable=True)
def set_review_policy(
    *,
    actor: Any,
    bank: ItemBank,
    form: ExamForm | None = None,
    interval_months: int | None,
    interval_administrations: int | None = None,
    completion_days: int = 30,
    model: str = AnalysisModel.AUTO,
    dif_grouping: str = DifGrouping.NONE,
    thresholds: dict[str, Any] | None = None,
) -> StatisticsReviewPolicy:
    """How often the statistics of the bank's forms (or of one form) are reviewed (R19)."""
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, bank)
    if form is not None and form.blueprint.bank_id != bank.pk:
        raise ItemInputError("different_bank", _("The form belongs to another bank."))
    if not interval_months and not interval_administrations:
        raise ItemInputError(
            "interval_required", _("Give the interval in months, in administrations, or both.")
        )
    if (interval_months is not None and not 0 <= interval_months <= 60) or (
        interval_administrations is not None and not 0 <= interval_administrations <= 1000
    ):
        raise ItemInputError(
            "invalid_interval", _("Give at most 60 months and at most 1000 administrations.")
        )
    if not 1 <= completion_days <= 365:
        raise ItemInputError("invalid_interval", _("A review takes between 1 and 365 days."))
    if model not in AnalysisModel.values:
        raise ItemInputError("invalid_model", _("Choose none, Rasch, 2PL or automatic."))
    if dif_grouping not in DifGrouping.values:
        raise ItemInputError("invalid_grouping", _("Choose how candidates are grouped for DIF."))
    limits = checked_thresholds(thresholds or {})
    policy = StatisticsReviewPolicy.objects.select_for_update().filter(
        bank=bank, form=form
    ).first() or StatisticsReviewPolicy(bank=bank, form=form)
    policy.interval_months = interval_months or None
    policy.interval_administrations = interval_administrations or None
    policy.completion_days = completion_days
    policy.model = model
    policy.dif_grouping = dif_grouping
    policy.thresholds = {k: v for k, v in limits.to_dict().items() if k in (thresholds or {})}
    policy.updated_by = actor
    policy.save()
    record_event(
        StatisticsEvent.POLICY_SET, actor=actor, subject=policy, related=[bank, *([form] if form else [])],
        data={"form": form.code if form else None, "interval_months": policy.interval_months,
              "interval_administrations": policy.interval_administrations,
              "completion_days": completion_days, "model": model, "dif_grouping": dif_grouping},
    )  # fmt: skip
    return policy


def _lock_form(form: ExamForm) -> ExamForm:
    return ExamForm.objects.select_for_update().select_related("blueprint__bank").get(pk=form.pk)


def _open(
    *, form: ExamForm, actor: Any, trigger: str, today: dt.date, due_on: dt.date | None = None
) -> StatisticsReview:
    if StatisticsReview.objects.filter(form=form, status=ReviewStatus.OPEN).exists():
        raise ItemBankError("review_open", _("A review of this form is already open."))
    policy = effective_policy(form)
    review = StatisticsReview.objects.create(
        form=form, trigger=trigger, opened_by=actor, opened_on=today,
        due_on=due_on or today + dt.timedelta(days=policy.completion_days),
    )  # fmt: skip
    record_event(
        StatisticsEvent.REVIEW_OPENED, actor=actor, subject=review, related=[form],
        data={"form": form.code, "trigger": trigger, "due_on": review.due_on.isoformat()},
    )  # fmt: skip
    return review


@transaction.atomic(durable=True)
def open_statistics_review(
    *, actor: Any, form: ExamForm, due_on: dt.date | None = None
) -> StatisticsReview:
    """Open a review of the form's statistics before it is due (an incident, a complaint …)."""
    form = _lock_form(form)
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, form.blueprint.bank)
    if form.status not in (FormStatus.APPROVED, FormStatus.RETIRED):
        raise ItemBankError("form_not_approved", _("Only a form in use has statistics to review."))
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        raise ItemInputError("invalid_interval", _("The review cannot be due in the past."))
    return _open(form=form, actor=actor, trigger=ReviewTrigger.REQUESTED, today=today,
                 due_on=due_on)  # fmt: skip


def review_due_for(form: ExamForm, *, today: dt.date) -> Due | None:
    """Whether the form's statistics review is due today under its policy (R19)."""
    policy = effective_policy(form)
    last = get_last_closed_review(form)
    administrations = form.administrations.filter(administered_on__lte=today)
    if last is not None and last.closed_at is not None:
        baseline: dt.date | None = timezone.localdate(last.closed_at)
        if last.covered_until is not None:
            administrations = administrations.filter(administered_on__gt=last.covered_until)
    else:
        first = administrations.order_by("administered_on").first()
        baseline = first.administered_on if first is not None else None
    return review_due(
        today=today,
        baseline=baseline,
        administrations_since=administrations.count(),
        interval_months=policy.interval_months,
        interval_administrations=policy.interval_administrations,
    )


@transaction.atomic(durable=True)
def open_scheduled_review(*, form: ExamForm, now: dt.datetime) -> StatisticsReview | None:
    """The job's step for one form: open its review with statistics computed, if it is due and
    none is open (idempotent). The form's psychometricians are told."""
    form = _lock_form(form)
    today = timezone.localdate(now)
    if StatisticsReview.objects.filter(form=form, status=ReviewStatus.OPEN).exists():
        return None
    due = review_due_for(form, today=today)
    if due is None:
        return None
    review = _open(form=form, actor=None, trigger=due.trigger, today=today)
    policy = effective_policy(form)
    try:
        with transaction.atomic():
            review.analysis = _run_form_analysis(
                form=form, actor=None, model=policy.model, dif_grouping=policy.dif_grouping,
                thresholds=policy.thresholds, until=today,
            )  # fmt: skip
    except (DomainError, PsychometricsError) as error:
        review.analysis_problem = str(error)[:300]
    review.save(update_fields=["analysis", "analysis_problem", "updated_at"])
    bank = form.blueprint.bank
    for person in list_users_with_role(RoleCode.PSYCHOMETRICIAN, scheme_id=bank.scheme_id):
        queue_notification(
            template="itembank_statistics_review_due", recipient_email=person.email,
            recipient_user=person, subject=review,
            context={"form": form.code, "bank": bank.name, "due_on": review.due_on.isoformat(),
                     "computed": review.analysis is not None, "slug": bank.slug},
        )  # fmt: skip
    return review


def open_due_statistics_reviews(*, now: dt.datetime) -> list[StatisticsReview]:
    """Open every review that is due (each form in its own transaction; idempotent)."""
    forms = ExamForm.objects.filter(
        status=FormStatus.APPROVED, administrations__isnull=False
    ).distinct()
    opened = []
    for form in forms.exclude(statistics_reviews__status=ReviewStatus.OPEN).order_by("pk"):
        review = open_scheduled_review(form=form, now=now)
        if review is not None:
            opened.append(review)
    return opened


@transaction.atomic(durable=True)
def close_statistics_review(
    *,
    actor: Any,
    review: StatisticsReview,
    conclusion: str,
    summary: str,
    findings: Sequence[FindingInput] = (),
    corrective_action_required: bool = False,
    corrective_action: str = "",
    analysis: FormAnalysis | None = None,
) -> StatisticsReview:
    """Record the conclusion of a review (9.3.5): accepted, or the items to revise, retire or
    re-key; deficiencies marked for corrective action. Never without a conclusion."""
    review = (
        StatisticsReview.objects.select_for_update()
        .select_related("form__blueprint__bank")
        .get(pk=review.pk)
    )
    form = review.form
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, form.blueprint.bank)
    if not can_proceed(review.close):
        raise ItemBankError("review_closed", _("This review is already closed."))
    if conclusion not in ReviewConclusion.values:
        raise ItemInputError("conclusion_required", _("Choose the conclusion of the review."))
    if not summary.strip():
        raise ItemInputError(
            "summary_required", _("Summarise what the statistics showed and why you conclude so.")
        )
    chosen = analysis or review.analysis or form.analyses.order_by("-created_at", "-pk").first()
    if chosen is None:
        raise ItemBankError(
            "analysis_required", _("Run the analysis of the form's responses first.")
        )
    if chosen.form_id != form.pk:
        raise ItemInputError("analysis_of_other_form", _("The analysis belongs to another form."))
    if conclusion == ReviewConclusion.ACCEPTED and findings:
        raise ItemInputError(
            "findings_contradict_acceptance",
            _("An accepted form has no items to revise, retire or re-key."),
        )
    if conclusion != ReviewConclusion.ACCEPTED and not any(
        f.action == CONCLUSION_ACTION[ReviewConclusion(conclusion)] for f in findings
    ):
        raise ItemInputError("finding_required", _("Name the items this conclusion applies to."))
    versions = {item.identifier: item.version_id for item in form_items_of(form)}
    rows: dict[tuple[int, str], ReviewFinding] = {}
    for finding in findings:
        identifier = finding.item_identifier.strip()
        if identifier not in versions:
            raise ItemInputError(
                "item_not_on_form",
                _("Item %(id)s is not on form %(form)s.") % {"id": identifier, "form": form.code},
            )
        if finding.action not in FindingAction.values:
            raise ItemInputError("invalid", _("A finding is to revise, retire or re-key an item."))
        rows[(versions[identifier], finding.action)] = ReviewFinding(
            review=review, item_version_id=versions[identifier], action=finding.action,
            note=finding.note.strip()[:300],
        )  # fmt: skip
    if corrective_action_required and not corrective_action.strip():
        raise ItemInputError(
            "corrective_action_required",
            _("Describe the deficiency and the corrective action it needs."),
        )
    covered = chosen.administrations.aggregate(last=Max("administered_on"))["last"]
    review.close()
    review.analysis = chosen
    review.conclusion = conclusion
    review.summary = summary.strip()
    review.corrective_action_required = corrective_action_required
    review.corrective_action = corrective_action.strip() if corrective_action_required else ""
    review.reviewer = actor
    review.closed_at = timezone.now()
    review.covered_until = covered
    review.save(update_fields=[
        "status", "analysis", "conclusion", "summary", "corrective_action_required",
        "corrective_action", "reviewer", "closed_at", "covered_until", "updated_at",
    ])  # fmt: skip
    ReviewFinding.objects.bulk_create(rows.values())
    counts = {action: sum(1 for _v, a in rows if a == action) for action in FindingAction.values}
    record_event(
        StatisticsEvent.REVIEW_CLOSED, actor=actor, subject=review, related=[form, chosen],
        data={"form": form.code, "conclusion": conclusion, "analysis": chosen.pk,
              "findings": counts, "corrective_action_required": corrective_action_required},
    )  # fmt: skip
    return review
