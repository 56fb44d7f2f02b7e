"""The numbers of a modified-Angoff study: each round's impact data and the final cut.

Ratings are percentages of each item's points; the engine
(`peritus.psychometrics.standard_setting.modified_angoff`) gets them as expected scores on the
form's points scale, so the cut is on the scale of the pass mark. Impact data use the form's
recorded responses when there are any (the pass rate a cut would give, the items' p-values);
Hofstee (1983) and Beuk (1984) run on the same responses when every judge gave those
judgements. Undefined figures are None, never NaN; judges stay anonymous (sorted lists).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from decimal import ROUND_UP, Decimal
from typing import Any

import numpy as np

from peritus.itembank.models import ExamForm
from peritus.itembank.statistics.models import (
    AngoffRating,
    CandidateResponse,
    StandardSettingStudy,
    StudyJudge,
)
from peritus.itembank.statistics.responses import FormItem, form_totals, scored_responses
from peritus.itembank.statistics.selectors import form_items_of, latest_p_values
from peritus.psychometrics import PsychometricsError, beuk, hofstee, modified_angoff


def active_judges(study: StandardSettingStudy) -> list[StudyJudge]:
    return list(study.judges.filter(removed_at__isnull=True).select_related("user").order_by("pk"))


@dataclasses.dataclass(frozen=True)
class ResponseData:
    form_totals: np.ndarray[Any, Any]
    engine_totals: np.ndarray[Any, Any]
    engine_max: int
    p_values: dict[int, float]


def response_data(form: ExamForm, items: Sequence[FormItem]) -> ResponseData | None:
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


def finite(value: Any, digits: int = 4) -> float | None:
    if value is None:
        return None
    number = float(value)
    return round(number, digits) if math.isfinite(number) else None


def _sortedfinite(values: Any, digits: int) -> list[float | None]:
    """Values in increasing order, undefined ones last: judges stay anonymous in the results."""
    clean = [finite(value, digits) for value in values]
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


def pass_rate(data: ResponseData | None, pass_mark: Decimal) -> float | None:
    if data is None:
        return None
    return float((data.form_totals >= float(pass_mark) - 1e-9).mean())


def round_impact(
    study: StandardSettingStudy, number: int, judges: Sequence[StudyJudge]
) -> dict[str, Any]:
    items = form_items_of(study.form)
    points = np.array([float(item.points) for item in items])
    ratings = _ratings(judges, [number], items)[0]
    result = modified_angoff(ratings / 100.0 * points[None, :], max_scores=points)
    data = response_data(study.form, items)
    p_values = data.p_values if data is not None else latest_p_values([i.version_id for i in items])
    pass_mark = default_pass_mark(result.cut_score, items)
    return {
        "round": number,
        "judges": len(judges),
        "cut_score": finite(result.cut_score, 2),
        "standard_error": finite(result.standard_error, 2),
        "judge_sd": finite(result.judge_sd, 2),
        "judge_cuts": _sortedfinite(result.judge_cuts, 2),
        "max_score": finite(result.max_score, 2),
        "pass_mark": str(pass_mark),
        "candidates": int(data.form_totals.size) if data is not None else None,
        "projected_pass_rate": finite(pass_rate(data, pass_mark)),
        "items": {
            str(item.version_id): {
                "mean": finite(ratings[:, j].mean(), 1),
                "min": finite(ratings[:, j].min(), 1),
                "max": finite(ratings[:, j].max(), 1),
                "p_value": finite(p_values.get(item.version_id)),
            }
            for j, item in enumerate(items)
        },
    }


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
            "cut_score": finite(outcome.cut_score * scale, 2),
            "crossing_percent": finite(outcome.crossing_percent, 2),
            "intersects": bool(outcome.intersects),
            "fail_rate": finite(outcome.fail_rate),
            "pass_rate": finite(outcome.pass_rate),
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
    judges = active_judges(study)
    rounds = list(range(1, study.current_round + 1))
    points = np.array([float(item.points) for item in items])
    ratings = _ratings(judges, rounds, items)
    data = response_data(study.form, items)
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
                "cut_score": finite(r.cut_score, 2),
                "standard_error": finite(r.standard_error, 2),
                "judge_sd": finite(r.judge_sd, 2),
            }
            for r in result.rounds
        ],
        "cut_score": finite(result.cut_score, 2),
        "cut_percent": finite(result.cut_percent, 1),
        "standard_error": finite(result.standard_error, 3),
        "max_score": finite(result.max_score, 2),
        "judge_cuts": _sortedfinite(result.judge_cuts, 2),
        "judge_sd": finite(result.judge_sd, 2),
        "judge_range": [finite(result.judge_range[0], 2), finite(result.judge_range[1], 2)],
        "variance_judges": finite(result.variance_judges),
        "variance_items": finite(result.variance_items),
        "variance_residual": finite(result.variance_residual),
        "icc_single": finite(result.icc_single),
        "icc_average": finite(result.icc_average),
        "judge_p_value_correlations": (
            _sortedfinite(correlations, 3) if correlations is not None else None
        ),
        "candidates": int(data.form_totals.size) if data is not None else None,
        "hofstee": hofstee_result,
        "beuk": beuk_result,
        "notes": notes,
    }
