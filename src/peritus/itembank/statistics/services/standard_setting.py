"""Standard setting by modified Angoff (clause 9.3.1, R18), as a workflow.

The facilitator (a psychometrician of the scheme) opens a study of a frozen form with judges
chosen from staff who know the field (examiners, item authors and reviewers, psychometricians,
the scheme's manager and committee), never trainers or invigilators (R15) and never themself.
Each judge declares their interests, then rates every item in rounds; between rounds the panel
discusses the impact data of the round (its cut, the spread of judges, the pass rate it would
give on recorded responses, the items' p-values). The cut is computed by
`peritus.psychometrics.standard_setting.modified_angoff` with its standard error and inter-judge
statistics (Hofstee and Beuk as compromise checks when judges give those judgements and
responses exist). Approved by someone other than the facilitator, its pass mark becomes the
form's pass rule (audited); a form is released for use only with one (R18).

Error codes: `StudyAccessError` (403) ``not_facilitator``, ``not_a_judge``;
`ItemImpartialityError` (403) ``facilitator_is_judge``, ``approver_ran_study``,
``conflict_declared``; `ItemAccessError` (403) ``information_barrier``; `ItemBankError` (409)
``form_not_approved``, ``study_open``, ``wrong_status``, ``round_not_open``, ``no_rounds_left``,
``round_submitted``, ``ratings_incomplete``, ``declaration_required``, ``study_closed``;
`ItemInputError` (422) ``description_required``, ``invalid_rounds``, ``too_few_judges``,
``judge_not_eligible``, ``duplicate_judge``, ``discussion_notes_required``,
``item_not_in_study``, ``rating_out_of_range``, ``bad_judgements``, ``note_required``,
``reason_required``, ``comment_required``, ``pass_mark_out_of_range``, ``rationale_required``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role, list_users_with_role
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.core.errors import NotPermittedError
from peritus.itembank.errors import (
    ItemAccessError,
    ItemBankError,
    ItemImpartialityError,
    ItemInputError,
)
from peritus.itembank.models import ExamForm, FormStatus
from peritus.itembank.rules import behind_information_barrier
from peritus.itembank.services.items import require_item_role
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import (
    ACTIVE_STUDY_STATUSES,
    AngoffRating,
    CandidateResponse,
    StandardSettingStudy,
    StudyJudge,
    StudyRound,
    StudyStatus,
)
from peritus.itembank.statistics.responses import FormItem, form_totals, scored_responses
from peritus.itembank.statistics.rules import CUT_SCORE_APPROVER_ROLES, JUDGE_ROLES
from peritus.itembank.statistics.selectors import form_items_of, latest_p_values
from peritus.notifications.services import queue_notification
from peritus.psychometrics import PsychometricsError, beuk, hofstee, modified_angoff

MIN_JUDGES = 2
MAX_ROUNDS = 5
HUNDRED = Decimal(100)


class StudyAccessError(NotPermittedError):
    """Codes ``not_facilitator`` (only the study's facilitator runs it) and ``not_a_judge``."""


@dataclasses.dataclass(frozen=True)
class CompromiseJudgements:
    """A judge's Hofstee (1983) and Beuk (1984) judgements, all in percent."""

    hofstee_min_cut: Decimal
    hofstee_max_cut: Decimal
    hofstee_min_fail: Decimal
    hofstee_max_fail: Decimal
    beuk_cut: Decimal
    beuk_pass_rate: Decimal


def _lock_study(study: StandardSettingStudy) -> StandardSettingStudy:
    return (
        StandardSettingStudy.objects.select_for_update()
        .select_related("form__blueprint__bank")
        .get(pk=study.pk)
    )


def _require_facilitator(actor: Any, study: StandardSettingStudy) -> None:
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, study.form.blueprint.bank)
    if actor is not None and actor.pk != study.facilitator_id:
        raise StudyAccessError(
            "not_facilitator", _("Only the psychometrician who runs this study can do this.")
        )


def _active_judges(study: StandardSettingStudy) -> list[StudyJudge]:
    return list(study.judges.filter(removed_at__isnull=True).select_related("user").order_by("pk"))


def _check_judge(user: Any, *, scheme_id: int, facilitator: Any) -> None:
    if user.pk == facilitator.pk:
        raise ItemImpartialityError(
            "facilitator_is_judge", _("The facilitator of a study is not one of its judges.")
        )
    if not any(has_role(user, role, scheme_id=scheme_id) for role in JUDGE_ROLES):
        raise ItemInputError(
            "judge_not_eligible",
            _("%(name)s holds no role that qualifies them as a judge for this scheme.")
            % {"name": user},
        )
    if behind_information_barrier(user):
        raise ItemAccessError(
            "information_barrier",
            _("%(name)s invigilates or trains candidates and never sees exam items (R15).")
            % {"name": user},
        )


@transaction.atomic(durable=True)
def open_standard_setting_study(
    *,
    actor: Any,
    form: ExamForm,
    judges: Sequence[Any],
    candidate_description: str,
    max_rounds: int = 2,
    collect_compromise: bool = True,
) -> StandardSettingStudy:
    """Open a modified-Angoff study of a frozen form with its judges."""
    form = ExamForm.objects.select_for_update().select_related("blueprint__bank").get(pk=form.pk)
    bank = form.blueprint.bank
    require_item_role(actor, RoleCode.PSYCHOMETRICIAN, bank)
    if form.status != FormStatus.APPROVED:
        raise ItemBankError(
            "form_not_approved", _("A cut score is set on an approved (frozen) form.")
        )
    if StandardSettingStudy.objects.filter(form=form, status__in=ACTIVE_STUDY_STATUSES).exists():
        raise ItemBankError("study_open", _("A standard-setting study of this form is running."))
    if not candidate_description.strip():
        raise ItemInputError(
            "description_required",
            _("Describe the minimally competent candidate the judges rate against."),
        )
    if not 1 <= max_rounds <= MAX_ROUNDS:
        raise ItemInputError(
            "invalid_rounds", _("A study has between 1 and %(n)d rounds.") % {"n": MAX_ROUNDS}
        )
    if len({judge.pk for judge in judges}) != len(judges):
        raise ItemInputError("duplicate_judge", _("A judge is listed twice."))
    if len(judges) < MIN_JUDGES:
        raise ItemInputError(
            "too_few_judges", _("A study needs at least %(n)d judges.") % {"n": MIN_JUDGES}
        )
    for judge in judges:
        _check_judge(judge, scheme_id=bank.scheme_id, facilitator=actor)
    study = StandardSettingStudy.objects.create(
        form=form, facilitator=actor, candidate_description=candidate_description.strip(),
        max_rounds=max_rounds, collect_compromise=collect_compromise,
    )  # fmt: skip
    StudyJudge.objects.bulk_create(
        StudyJudge(study=study, user=judge, added_by=actor) for judge in judges
    )
    record_event(
        StatisticsEvent.STUDY_OPENED, actor=actor, subject=study, related=[form, *judges],
        data={"form": form.code, "method": study.method, "judges": len(judges),
              "max_rounds": max_rounds},
    )  # fmt: skip
    return study


def _judge_of(actor: Any, study: StandardSettingStudy) -> StudyJudge:
    judge = (
        study.judges.filter(user_id=getattr(actor, "pk", 0), removed_at__isnull=True)
        .select_for_update()
        .first()
    )
    if judge is None:
        raise StudyAccessError("not_a_judge", _("You are not a judge of this study."))
    if behind_information_barrier(actor):
        raise ItemAccessError(
            "information_barrier",
            _("Invigilators and trainers of candidates never handle exam items (R15)."),
        )
    return judge


@transaction.atomic(durable=True)
def declare_judge_interests(
    *, actor: Any, study: StandardSettingStudy, conflict: bool, note: str = ""
) -> StudyJudge:
    """A judge declares, before rating, whether they have an interest in this form's outcome
    (they trained candidates for it, a relative sits it …). A declared conflict stops them rating."""
    study = _lock_study(study)
    judge = _judge_of(actor, study)
    if study.status not in ACTIVE_STUDY_STATUSES:
        raise ItemBankError("study_closed", _("This study is no longer running."))
    if conflict and not note.strip():
        raise ItemInputError("note_required", _("Describe the interest you declare."))
    judge.declared_at = timezone.now()
    judge.conflict_declared = conflict
    judge.declaration_note = note.strip()
    judge.save(update_fields=["declared_at", "conflict_declared", "declaration_note", "updated_at"])
    record_event(
        StatisticsEvent.JUDGE_DECLARED, actor=actor, subject=study, related=[judge],
        data={"conflict": conflict},
    )  # fmt: skip
    return judge


@transaction.atomic(durable=True)
def remove_judge(
    *, actor: Any, study: StandardSettingStudy, judge: StudyJudge, reason: str
) -> StudyJudge:
    """Take a judge off the panel (a declared conflict, unavailability); their ratings no longer
    count. The record of their judging stays."""
    study = _lock_study(study)
    _require_facilitator(actor, study)
    if study.status not in (StudyStatus.SETUP, StudyStatus.ROUND_OPEN, StudyStatus.BETWEEN_ROUNDS):
        raise ItemBankError("wrong_status", _("Judges change only before the cut is computed."))
    if not reason.strip():
        raise ItemInputError("reason_required", _("Say why the judge leaves the panel."))
    judge = StudyJudge.objects.select_for_update().get(pk=judge.pk, study=study)
    if judge.removed_at is not None:
        raise ItemBankError("wrong_status", _("This judge has already left the panel."))
    if len(_active_judges(study)) <= MIN_JUDGES:
        raise ItemInputError(
            "too_few_judges", _("A study needs at least %(n)d judges.") % {"n": MIN_JUDGES}
        )
    judge.removed_at = timezone.now()
    judge.removal_reason = reason.strip()[:300]
    judge.save(update_fields=["removed_at", "removal_reason", "updated_at"])
    record_event(
        StatisticsEvent.JUDGE_REMOVED, actor=actor, subject=study, related=[judge.user],
        reason=judge.removal_reason, data={"judge": judge.pk},
    )  # fmt: skip
    return judge


@transaction.atomic(durable=True)
def open_rating_round(
    *, actor: Any, study: StandardSettingStudy, discussion_notes: str = ""
) -> StudyRound:
    """Open the next round. From round 2 on, the discussion of the last round's impact data is
    recorded first."""
    study = _lock_study(study)
    _require_facilitator(actor, study)
    if study.status not in (StudyStatus.SETUP, StudyStatus.BETWEEN_ROUNDS):
        raise ItemBankError("wrong_status", _("A round is open, or the study has ended."))
    number = study.current_round + 1
    if number > study.max_rounds:
        raise ItemBankError(
            "no_rounds_left", _("All %(n)d rounds were held.") % {"n": study.max_rounds}
        )
    judges = _active_judges(study)
    if len(judges) < MIN_JUDGES:
        raise ItemInputError(
            "too_few_judges", _("A study needs at least %(n)d judges.") % {"n": MIN_JUDGES}
        )
    if number > 1:
        if not discussion_notes.strip():
            raise ItemInputError(
                "discussion_notes_required",
                _("Record what the panel discussed after round %(n)d.") % {"n": number - 1},
            )
        StudyRound.objects.filter(study=study, number=number - 1).update(
            discussion_notes=discussion_notes.strip(), updated_at=timezone.now()
        )
    study.open_round()
    study.current_round = number
    study.save(update_fields=["status", "current_round", "updated_at"])
    study_round = StudyRound.objects.create(study=study, number=number)
    record_event(
        StatisticsEvent.ROUND_OPENED, actor=actor, subject=study, related=[study.form],
        data={"round": number, "judges": len(judges)},
    )  # fmt: skip
    for judge in judges:
        queue_notification(
            template="itembank_standard_setting_round", recipient_email=judge.user.email,
            recipient_user=judge.user, subject=study,
            context={"form": study.form.code, "round": number, "study": study.pk},
        )  # fmt: skip
    return study_round


def _percent(value: Any, *, code: str, message: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ItemInputError(code, message) from None
    if not number.is_finite() or not 0 <= number <= HUNDRED:
        raise ItemInputError(code, message)
    return number.quantize(Decimal("0.01"))


@transaction.atomic(durable=True)
def save_angoff_ratings(
    *,
    actor: Any,
    study: StandardSettingStudy,
    ratings: Mapping[int, Any],
    compromise: CompromiseJudgements | None = None,
    submit: bool = False,
) -> StudyJudge:
    """A judge's ratings in the open round (percent of each item's points the minimally
    competent candidate earns); `submit` hands in the round, complete."""
    study = _lock_study(study)
    judge = _judge_of(actor, study)
    if study.status != StudyStatus.ROUND_OPEN:
        raise ItemBankError("round_not_open", _("No round is open for ratings."))
    if judge.declared_at is None:
        raise ItemBankError(
            "declaration_required", _("Declare your interests before you rate the items.")
        )
    if judge.conflict_declared:
        raise ItemImpartialityError(
            "conflict_declared", _("You declared a conflict of interest; you do not rate.")
        )
    if judge.rounds_submitted >= study.current_round:
        raise ItemBankError("round_submitted", _("You already submitted this round."))
    versions = {item.version_id for item in form_items_of(study.form)}
    clean: dict[int, Decimal] = {}
    for version_id, value in ratings.items():
        if int(version_id) not in versions:
            raise ItemInputError(
                "item_not_in_study", _("An item rated is not on the form of this study.")
            )
        clean[int(version_id)] = _percent(
            value, code="rating_out_of_range", message=_("A rating lies between 0 and 100.")
        )
    existing = {
        rating.item_version_id: rating
        for rating in AngoffRating.objects.filter(judge=judge, round_number=study.current_round)
    }
    new, changed = [], []
    for version_id, value in clean.items():
        if version_id in existing:
            existing[version_id].rating = value
            changed.append(existing[version_id])
        else:
            new.append(AngoffRating(judge=judge, round_number=study.current_round,
                                    item_version_id=version_id, rating=value))  # fmt: skip
    AngoffRating.objects.bulk_create(new)
    if changed:
        AngoffRating.objects.bulk_update(changed, ["rating", "updated_at"])
    if compromise is not None:
        _save_compromise(judge, compromise)
    rated = len(existing.keys() | clean.keys())
    if submit:
        if rated < len(versions):
            raise ItemBankError(
                "ratings_incomplete",
                _("Rate every item before you submit: %(missing)d still to rate.")
                % {"missing": len(versions) - rated},
            )
        judge.rounds_submitted = study.current_round
        judge.save(update_fields=["rounds_submitted", "updated_at"])
    record_event(
        StatisticsEvent.RATINGS_SUBMITTED if submit else StatisticsEvent.RATINGS_SAVED,
        actor=actor, subject=study, related=[judge],
        data={"round": study.current_round, "rated": rated, "items": len(versions)},
    )  # fmt: skip
    return judge


def _save_compromise(judge: StudyJudge, values: CompromiseJudgements) -> None:
    message = _("Compromise judgements are percentages between 0 and 100.")
    clean = {
        field.name: _percent(getattr(values, field.name), code="bad_judgements", message=message)
        for field in dataclasses.fields(values)
    }
    if not clean["hofstee_min_cut"] < clean["hofstee_max_cut"] or not (
        clean["hofstee_min_fail"] < clean["hofstee_max_fail"]
    ):
        raise ItemInputError(
            "bad_judgements",
            _("The lowest acceptable cut and failure rate must be below the highest."),
        )
    for name, value in clean.items():
        setattr(judge, name, value)
    judge.save(update_fields=[*clean, "updated_at"])


# ----------------------------------------------------------------------------------------------
# The numbers: round impact and the final cut
# ----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ResponseData:
    form_totals: np.ndarray[Any, Any]
    engine_totals: np.ndarray[Any, Any]
    engine_max: int
    p_values: dict[int, float]


def _response_data(form: ExamForm, items: Sequence[FormItem]) -> ResponseData | None:
    rows = list(
        CandidateResponse.objects.filter(administration__form=form)
        .order_by("administration_id", "pk")
        .values_list("administration_id", "candidate_code", "answers")
    )
    if not rows:
        return None
    responses = scored_responses(items, [(f"{a}:{c}", answers) for a, c, answers in rows])
    scores = responses.scores.astype(np.float64)
    p = scores.mean(axis=0) / responses.max_scores
    return ResponseData(
        form_totals=form_totals(items, responses),
        engine_totals=scores.sum(axis=1).astype(np.int64),
        engine_max=int(responses.max_scores.sum()),
        p_values={item.version_id: float(p[j]) for j, item in enumerate(items)},
    )


def _finite(value: Any, digits: int = 4) -> float | None:
    if value is None:
        return None
    number = float(value)
    return round(number, digits) if math.isfinite(number) else None


def _sorted_finite(values: Any, digits: int) -> list[float | None]:
    """Values in increasing order, undefined ones last: judges stay anonymous in the results."""
    clean = [_finite(value, digits) for value in values]
    return sorted(clean, key=lambda v: (v is None, v or 0.0))


def _ratings(
    judges: Sequence[StudyJudge], rounds: Sequence[int], items: Sequence[FormItem]
) -> np.ndarray[Any, Any]:
    """Percent ratings shaped rounds x judges x items (NaN where missing)."""
    array = np.full((len(rounds), len(judges), len(items)), np.nan)
    r_index = {number: n for n, number in enumerate(rounds)}
    j_index = {judge.pk: n for n, judge in enumerate(judges)}
    i_index = {item.version_id: n for n, item in enumerate(items)}
    for judge_id, number, version_id, rating in AngoffRating.objects.filter(
        judge_id__in=j_index, round_number__in=r_index, item_version_id__in=i_index
    ).values_list("judge_id", "round_number", "item_version_id", "rating"):
        array[r_index[number], j_index[judge_id], i_index[version_id]] = float(rating)
    return array


def default_pass_mark(cut: float, items: Sequence[FormItem]) -> Decimal:
    """The lowest score a candidate can reach at or above the cut: whole points when every item
    is worth whole points, else the cut rounded up to a hundredth."""
    if all(item.points == item.points.to_integral_value() for item in items):
        return Decimal(math.ceil(cut - 1e-9))
    return Decimal(str(cut)).quantize(Decimal("0.01"), rounding=ROUND_UP)


def _pass_rate(data: ResponseData | None, pass_mark: Decimal) -> float | None:
    if data is None:
        return None
    return float((data.form_totals >= float(pass_mark) - 1e-9).mean())


def _round_impact(
    study: StandardSettingStudy, number: int, judges: Sequence[StudyJudge]
) -> dict[str, Any]:
    items = form_items_of(study.form)
    points = np.array([float(item.points) for item in items])
    ratings = _ratings(judges, [number], items)[0]
    result = modified_angoff(ratings / 100.0 * points[None, :], max_scores=points)
    data = _response_data(study.form, items)
    p_values = data.p_values if data is not None else latest_p_values([i.version_id for i in items])
    pass_mark = default_pass_mark(result.cut_score, items)
    return {
        "round": number,
        "judges": len(judges),
        "cut_score": _finite(result.cut_score, 2),
        "standard_error": _finite(result.standard_error, 2),
        "judge_sd": _finite(result.judge_sd, 2),
        "judge_cuts": _sorted_finite(result.judge_cuts, 2),
        "max_score": _finite(result.max_score, 2),
        "pass_mark": str(pass_mark),
        "candidates": int(data.form_totals.size) if data is not None else None,
        "projected_pass_rate": _finite(_pass_rate(data, pass_mark)),
        "items": {
            str(item.version_id): {
                "mean": _finite(ratings[:, j].mean(), 1),
                "min": _finite(ratings[:, j].min(), 1),
                "max": _finite(ratings[:, j].max(), 1),
                "p_value": _finite(p_values.get(item.version_id)),
            }
            for j, item in enumerate(items)
        },
    }


@transaction.atomic(durable=True)
def close_rating_round(*, actor: Any, study: StandardSettingStudy) -> StudyRound:
    """Close the open round once every judge on the panel submitted; compute its impact data."""
    study = _lock_study(study)
    _require_facilitator(actor, study)
    if study.status != StudyStatus.ROUND_OPEN:
        raise ItemBankError("round_not_open", _("No round is open."))
    judges = _active_judges(study)
    waiting = [judge for judge in judges if judge.rounds_submitted < study.current_round]
    if waiting:
        raise ItemBankError(
            "ratings_incomplete",
            _("%(n)d judge(s) have not submitted this round yet.") % {"n": len(waiting)},
        )
    impact = _round_impact(study, study.current_round, judges)
    study_round = StudyRound.objects.get(study=study, number=study.current_round)
    study_round.closed_at = timezone.now()
    study_round.impact = impact
    study_round.save(update_fields=["closed_at", "impact", "updated_at"])
    study.close_round()
    study.save(update_fields=["status", "updated_at"])
    record_event(
        StatisticsEvent.ROUND_CLOSED, actor=actor, subject=study, related=[study.form],
        data={"round": study.current_round, "cut_score": impact["cut_score"]},
    )  # fmt: skip
    return study_round


def _compromise(
    judges: Sequence[StudyJudge],
    data: ResponseData | None,
    total_points: float,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, list[str]]:
    notes: list[str] = []
    if not all(judge.has_compromise for judge in judges):
        return None, None, ["Hofstee and Beuk: not every judge gave the compromise judgements"]
    if data is None:
        return None, None, ["Hofstee and Beuk need recorded responses of the form"]
    scale = total_points / data.engine_max

    def as_dict(outcome: Any) -> dict[str, Any]:
        return {
            "cut_score": _finite(outcome.cut_score * scale, 2),
            "crossing_percent": _finite(outcome.crossing_percent, 2),
            "intersects": bool(outcome.intersects),
            "fail_rate": _finite(outcome.fail_rate),
            "pass_rate": _finite(outcome.pass_rate),
        }

    def values(name: str, divide: float = 1.0) -> list[float]:
        return [float(getattr(judge, name)) / divide for judge in judges]

    hofstee_result = beuk_result = None
    try:
        hofstee_result = as_dict(
            hofstee(
                data.engine_totals,
                max_score=data.engine_max,
                min_cut_percent=values("hofstee_min_cut"),
                max_cut_percent=values("hofstee_max_cut"),
                min_fail_rate=values("hofstee_min_fail", 100),
                max_fail_rate=values("hofstee_max_fail", 100),
            )
        )
    except PsychometricsError as error:
        notes.append(f"Hofstee not available: {error.message}")
    try:
        beuk_result = as_dict(
            beuk(
                data.engine_totals,
                max_score=data.engine_max,
                judge_cut_percents=values("beuk_cut"),
                judge_pass_rates=values("beuk_pass_rate", 100),
            )
        )
    except PsychometricsError as error:
        notes.append(f"Beuk not available: {error.message}")
    return hofstee_result, beuk_result, notes


def angoff_result(study: StandardSettingStudy) -> dict[str, Any]:
    """The cut score of the study from every round held, with its statistics (JSON-ready)."""
    items = form_items_of(study.form)
    judges = _active_judges(study)
    rounds = list(range(1, study.current_round + 1))
    points = np.array([float(item.points) for item in items])
    ratings = _ratings(judges, rounds, items)
    data = _response_data(study.form, items)
    p_values = data.p_values if data is not None else latest_p_values([i.version_id for i in items])
    known = [p_values[item.version_id] for item in items if item.version_id in p_values]
    result = modified_angoff(
        ratings / 100.0 * points[None, None, :],
        max_scores=points,
        p_values=known if len(known) == len(items) else None,
    )
    hofstee_result, beuk_result, notes = (
        _compromise(judges, data, float(points.sum())) if study.collect_compromise else
        (None, None, [])
    )  # fmt: skip
    correlations = result.judge_p_value_correlation
    return {
        "method": study.method,
        "judges": len(judges),
        "rounds": [
            {
                "round": r.round,
                "cut_score": _finite(r.cut_score, 2),
                "standard_error": _finite(r.standard_error, 2),
                "judge_sd": _finite(r.judge_sd, 2),
            }
            for r in result.rounds
        ],
        "cut_score": _finite(result.cut_score, 2),
        "cut_percent": _finite(result.cut_percent, 1),
        "standard_error": _finite(result.standard_error, 3),
        "max_score": _finite(result.max_score, 2),
        "judge_cuts": _sorted_finite(result.judge_cuts, 2),
        "judge_sd": _finite(result.judge_sd, 2),
        "judge_range": [_finite(result.judge_range[0], 2), _finite(result.judge_range[1], 2)],
        "variance_judges": _finite(result.variance_judges),
        "variance_items": _finite(result.variance_items),
        "variance_residual": _finite(result.variance_residual),
        "icc_single": _finite(result.icc_single),
        "icc_average": _finite(result.icc_average),
        "judge_p_value_correlations": (
            _sorted_finite(correlations, 3) if correlations is not None else None
        ),
        "candidates": int(data.form_totals.size) if data is not None else None,
        "hofstee": hofstee_result,
        "beuk": beuk_result,
        "notes": notes,
    }


@transaction.atomic(durable=True)
def compute_cut_score(
    *,
    actor: Any,
    study: StandardSettingStudy,
    pass_mark: Decimal | None = None,
    rationale: str = "",
) -> StandardSettingStudy:
    """Compute the cut from the rounds held and propose the pass mark for approval (by default
    the lowest reachable score at or above the cut; another one needs a rationale)."""
    study = _lock_study(study)
    _require_facilitator(actor, study)
    if study.status != StudyStatus.BETWEEN_ROUNDS:
        raise ItemBankError("wrong_status", _("Close the open round before computing the cut."))
    items = form_items_of(study.form)
    result = angoff_result(study)
    cut = float(result["cut_score"])
    recommended = default_pass_mark(cut, items)
    total = sum((item.points for item in items), Decimal(0))
    chosen = recommended if pass_mark is None else Decimal(pass_mark)
    if not 0 < chosen <= total:
        raise ItemInputError(
            "pass_mark_out_of_range",
            _("The pass mark lies above 0 and at most %(total)s.") % {"total": total},
        )
    if chosen != recommended and not rationale.strip():
        raise ItemInputError(
            "rationale_required",
            _("Explain why the pass mark differs from %(value)s, the lowest score at the cut.")
            % {"value": recommended},
        )
    data = _response_data(study.form, items)
    result["recommended_pass_mark"] = str(recommended)
    result["projected_pass_rate"] = _finite(_pass_rate(data, chosen))
    study.compute()
    study.result = result
    study.cut_score = Decimal(str(result["cut_score"])).quantize(Decimal("0.01"))
    study.standard_error = result["standard_error"]
    study.pass_mark = chosen.quantize(Decimal("0.01"))
    study.pass_mark_rationale = rationale.strip()
    study.computed_at = timezone.now()
    study.save(update_fields=[
        "status", "result", "cut_score", "standard_error", "pass_mark", "pass_mark_rationale",
        "computed_at", "updated_at",
    ])  # fmt: skip
    record_event(
        StatisticsEvent.CUT_COMPUTED, actor=actor, subject=study, related=[study.form],
        data={"form": study.form.code, "cut_score": str(study.cut_score),
              "standard_error": study.standard_error, "pass_mark": str(study.pass_mark),
              "judges": result["judges"], "rounds": len(result["rounds"])},
    )  # fmt: skip
    scheme_id = study.form.blueprint.bank.scheme_id
    notified: set[int] = {actor.pk}
    for role in CUT_SCORE_APPROVER_ROLES:
        for person in list_users_with_role(role, scheme_id=scheme_id):
            if person.pk in notified:
                continue
            notified.add(person.pk)
            queue_notification(
                template="itembank_cut_score_proposed", recipient_email=person.email,
                recipient_user=person, subject=study,
                context={"form": study.form.code, "study": study.pk,
                         "pass_mark": str(study.pass_mark)},
            )  # fmt: skip
    return study


def _require_decider(actor: Any, study: StandardSettingStudy) -> None:
    if actor is not None and actor.pk == study.facilitator_id:
        raise ItemImpartialityError(
            "approver_ran_study",
            _("You ran this study; someone else must decide on its cut score."),
        )
    scheme_id = study.form.blueprint.bank.scheme_id
    if not any(has_role(actor, role, scheme_id=scheme_id) for role in CUT_SCORE_APPROVER_ROLES):
        require_role(actor, RoleCode.SCHEME_COMMITTEE, scheme_id=scheme_id)


@transaction.atomic(durable=True)
def approve_cut_score(
    *, actor: Any, study: StandardSettingStudy, comment: str = ""
) -> StandardSettingStudy:
    """Approve the proposed pass mark: it becomes the form's pass rule (audited). Never by the
    facilitator of the study (segregation of duties)."""
    study = _lock_study(study)
    _require_decider(actor, study)
    if study.status != StudyStatus.COMPUTED:
        raise ItemBankError("wrong_status", _("No cut score of this study awaits approval."))
    form = study.form
    previous = list(
        StandardSettingStudy.objects.select_for_update().filter(
            form=form, status=StudyStatus.APPROVED
        )
    )
    for old in previous:
        old.supersede()
        old.save(update_fields=["status", "updated_at"])
    study.approve()
    study.decided_by = actor
    study.decided_at = timezone.now()
    study.decision_comment = comment.strip()
    study.save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"]
    )
    record_event(
        StatisticsEvent.CUT_APPROVED, actor=actor, subject=study, related=[form],
        data={"form": form.code, "cut_score": str(study.cut_score),
              "pass_mark": str(study.pass_mark), "facilitator": study.facilitator_id},
    )  # fmt: skip
    record_event(
        StatisticsEvent.PASS_RULE_SET, actor=actor, subject=form,
        related=[study, *previous],
        data={"form": form.code, "pass_mark": str(study.pass_mark), "study": study.pk,
              "superseded": [old.pk for old in previous]},
    )  # fmt: skip
    return study


@transaction.atomic(durable=True)
def reject_cut_score(
    *, actor: Any, study: StandardSettingStudy, comment: str
) -> StandardSettingStudy:
    """Send the proposal back: the facilitator may hold another round or propose again."""
    study = _lock_study(study)
    _require_decider(actor, study)
    if study.status != StudyStatus.COMPUTED:
        raise ItemBankError("wrong_status", _("No cut score of this study awaits approval."))
    if not comment.strip():
        raise ItemInputError("comment_required", _("Say why the cut score is sent back."))
    study.reject()
    study.decided_by = actor
    study.decided_at = timezone.now()
    study.decision_comment = comment.strip()
    study.save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"]
    )
    record_event(
        StatisticsEvent.CUT_REJECTED, actor=actor, subject=study, related=[study.form],
        reason=study.decision_comment,
        data={"form": study.form.code, "pass_mark": str(study.pass_mark)},
    )  # fmt: skip
    return study


@transaction.atomic(durable=True)
def cancel_study(*, actor: Any, study: StandardSettingStudy, reason: str) -> StandardSettingStudy:
    study = _lock_study(study)
    _require_facilitator(actor, study)
    if study.status not in ACTIVE_STUDY_STATUSES:
        raise ItemBankError("wrong_status", _("This study has already ended."))
    if not reason.strip():
        raise ItemInputError("reason_required", _("Say why the study is cancelled."))
    study.cancel()
    study.save(update_fields=["status", "updated_at"])
    record_event(
        StatisticsEvent.STUDY_CANCELLED, actor=actor, subject=study, related=[study.form],
        reason=reason.strip(),
    )  # fmt: skip
    return study
