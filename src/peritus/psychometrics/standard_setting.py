"""Standard setting: modified Angoff, Hofstee and Beuk.

**Modified Angoff** (Angoff 1971; the iterative "modified" form with rounds and normative
feedback, Cizek & Bunch 2007, ch. 6). Each judge rates, for each item, the expected score of a
minimally competent candidate (a probability for 0/1 items). A judge's cut is the sum of their
ratings; the cut score is the mean of the judges' cuts in the final round, with standard error
``SD(judge cuts) / sqrt(judges)``. Inter-judge statistics come from the judges x items two-way
ANOVA (one rating per cell): variance components for judges, items and the residual
(Brennan & Lockwood 1980), and the intraclass correlations ICC(2,1) and ICC(2,k) with items as
targets (Shrout & Fleiss 1979). When item p-values are given, each judge's ratings are
correlated with them (intrajudge consistency; van der Linden 1982).

**Hofstee (1983)** compromise. Judges give the lowest and highest acceptable cut (as a
percentage of the maximum score) and the lowest and highest acceptable failure rate. The line
from (lowest cut, highest failure rate) to (highest cut, lowest failure rate) is intersected
with the observed failure-rate curve ``F(c) = P(score < c)``; the cut is the first score at
which the curve reaches the line.

**Beuk (1984)** compromise. Judges give a cut (percentage of the maximum score) and an expected
pass rate. Through the point of their means runs a line with slope ``SD(pass rates) / SD(cuts)``;
the cut is where it meets the observed pass-rate curve ``P(score >= c)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from peritus.psychometrics.arrays import FloatArray
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError


@dataclass(frozen=True)
class AngoffRound:
    round: int
    cut_score: float
    standard_error: float
    judge_cuts: FloatArray
    judge_sd: float


@dataclass(frozen=True)
class AngoffResult:
    """Final-round cut on the raw score scale, with the rounds and the inter-judge statistics."""

    cut_score: float
    cut_percent: float
    standard_error: float
    max_score: float
    judge_cuts: FloatArray
    judge_sd: float
    judge_range: tuple[float, float]
    item_means: FloatArray
    rounds: tuple[AngoffRound, ...]
    variance_judges: float
    variance_items: float
    variance_residual: float
    icc_single: float
    icc_average: float
    judge_p_value_correlation: FloatArray | None


def _two_way(ratings: FloatArray) -> tuple[float, float, float, float, float]:
    """(var judges, var items, var residual, ICC(2,1), ICC(2,k)) for judges x items."""
    n_j, n_i = ratings.shape
    grand = float(ratings.mean())
    judge_means = ratings.mean(axis=1)
    item_means = ratings.mean(axis=0)
    if n_j < 2 or n_i < 2:
        return math.nan, math.nan, math.nan, math.nan, math.nan
    ms_j = n_i * float(np.sum((judge_means - grand) ** 2)) / (n_j - 1)
    ms_i = n_j * float(np.sum((item_means - grand) ** 2)) / (n_i - 1)
    residual = ratings - judge_means[:, None] - item_means[None, :] + grand
    ms_r = float(np.sum(residual**2)) / ((n_j - 1) * (n_i - 1))
    var_r = ms_r
    var_j = max((ms_j - ms_r) / n_i, 0.0)
    var_i = max((ms_i - ms_r) / n_j, 0.0)
    single_den = ms_i + (n_j - 1) * ms_r + n_j * (ms_j - ms_r) / n_i
    average_den = ms_i + (ms_j - ms_r) / n_i
    icc1 = (ms_i - ms_r) / single_den if single_den > 0 else math.nan
    icck = (ms_i - ms_r) / average_den if average_den > 0 else math.nan
    return var_j, var_i, var_r, icc1, icck


def modified_angoff(
    ratings: npt.ArrayLike,
    *,
    max_scores: npt.ArrayLike | None = None,
    p_values: npt.ArrayLike | None = None,
) -> AngoffResult:
    """Cut score from Angoff ratings shaped (rounds x judges x items) or (judges x items).

    Ratings are expected item scores of the minimally competent candidate: probabilities in
    [0, 1] for 0/1 items, or 0 to the item's maximum when ``max_scores`` is given. A judge who
    skipped an item in a round (NaN) is not allowed: every round must be complete.
    """
    r = np.asarray(ratings, dtype=np.float64)
    if r.ndim == 2:
        r = r[None, :, :]
    if r.ndim != 3 or r.shape[1] < 1 or r.shape[2] < 1:
        raise PsychometricsInputError(
            "bad_ratings", "ratings must be (rounds x judges x items) or (judges x items)"
        )
    if not np.all(np.isfinite(r)):
        raise PsychometricsInputError("incomplete_ratings", "every judge must rate every item")
    n_rounds, n_judges, n_items = r.shape
    maxima = (
        np.ones(n_items)
        if max_scores is None
        else np.asarray(max_scores, dtype=np.float64).reshape(-1)
    )
    if maxima.shape != (n_items,) or np.any(maxima <= 0):
        raise PsychometricsInputError("bad_max_scores", "give one positive max score per item")
    if np.any(r < 0) or np.any(r > maxima[None, None, :]):
        raise PsychometricsInputError(
            "rating_out_of_range", "ratings must lie between 0 and the item's maximum score"
        )
    rounds: list[AngoffRound] = []
    for index in range(n_rounds):
        cuts = r[index].sum(axis=1)
        sd = float(cuts.std(ddof=1)) if n_judges > 1 else math.nan
        rounds.append(
            AngoffRound(
                round=index + 1,
                cut_score=float(cuts.mean()),
                standard_error=sd / math.sqrt(n_judges) if n_judges > 1 else math.nan,
                judge_cuts=cuts,
                judge_sd=sd,
            )
        )
    final = r[-1]
    last = rounds[-1]
    var_j, var_i, var_r, icc1, icck = _two_way(final)
    correlations: FloatArray | None = None
    if p_values is not None:
        p = np.asarray(p_values, dtype=np.float64).reshape(-1)
        if p.shape != (n_items,):
            raise PsychometricsInputError("bad_p_values", "give one p-value per item")
        correlations = np.full(n_judges, math.nan)
        if p.std() > 0:
            for judge in range(n_judges):
                if final[judge].std() > 0:
                    correlations[judge] = float(np.corrcoef(final[judge], p)[0, 1])
    total = float(maxima.sum())
    return AngoffResult(
        cut_score=last.cut_score,
        cut_percent=100.0 * last.cut_score / total,
        standard_error=last.standard_error,
        max_score=total,
        judge_cuts=last.judge_cuts,
        judge_sd=last.judge_sd,
        judge_range=(float(last.judge_cuts.min()), float(last.judge_cuts.max())),
        item_means=final.mean(axis=0),
        rounds=tuple(rounds),
        variance_judges=var_j,
        variance_items=var_i,
        variance_residual=var_r,
        icc_single=icc1,
        icc_average=icck,
        judge_p_value_correlation=correlations,
    )


@dataclass(frozen=True)
class CompromiseResult:
    """Cut (raw, integer: pass when score >= cut), the crossing on a continuous scale, and the
    pass and fail rates the cut gives."""

    method: str
    cut_score: int
    crossing_percent: float
    intersects: bool
    fail_rate: float
    pass_rate: float


def _mean_of(values: float | Sequence[float] | npt.ArrayLike) -> tuple[float, float]:
    array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if array.size == 0 or not np.all(np.isfinite(array)):
        raise PsychometricsInputError("bad_judgements", "judgements must be numbers")
    sd = float(array.std(ddof=1)) if array.size > 1 else 0.0
    return float(array.mean()), sd


def _fail_curve(scores: npt.ArrayLike, max_score: int) -> FloatArray:
    x = np.asarray(scores, dtype=np.float64).ravel()
    if x.size == 0:
        raise PsychometricsInputError("no_candidates", "there are no scores")
    if np.any(x < 0) or np.any(x > max_score):
        raise PsychometricsInputError("score_out_of_range", "scores lie outside 0..max_score")
    cuts = np.arange(max_score + 1)
    result: FloatArray = np.searchsorted(np.sort(x), cuts, side="left") / x.size
    return result  # F(c) = P(score < c)


def hofstee(
    scores: npt.ArrayLike,
    *,
    max_score: int,
    min_cut_percent: float | Sequence[float],
    max_cut_percent: float | Sequence[float],
    min_fail_rate: float | Sequence[float],
    max_fail_rate: float | Sequence[float],
) -> CompromiseResult:
    """Hofstee (1983) cut; judgements may be one value or one per judge (means are used).

    Fail rates are proportions (0..1); cuts are percentages of ``max_score``.
    """
    k_min, _ = _mean_of(min_cut_percent)
    k_max, _ = _mean_of(max_cut_percent)
    f_min, _ = _mean_of(min_fail_rate)
    f_max, _ = _mean_of(max_fail_rate)
    if not (0 <= k_min < k_max <= 100) or not (0 <= f_min < f_max <= 1):
        raise PsychometricsInputError(
            "bad_judgements",
            "need 0 <= minimum cut < maximum cut <= 100 and 0 <= minimum < maximum fail rate <= 1",
        )
    fail = _fail_curve(scores, max_score)
    percent = 100.0 * np.arange(max_score + 1) / max_score

    def line(pct: FloatArray | float) -> FloatArray:
        return np.asarray(f_max + (pct - k_min) * (f_min - f_max) / (k_max - k_min))

    inside = (percent >= k_min - 1e-9) & (percent <= k_max + 1e-9)
    candidates = np.flatnonzero(inside)
    if candidates.size == 0:
        raise PsychometricsError("no_score_in_range", "no whole score lies in the cut range")
    gap = fail[candidates] - line(percent[candidates])
    reached = np.flatnonzero(gap >= 0)
    if reached.size == 0:
        cut = int(candidates[-1])
        intersects = False
        crossing = k_max
    else:
        position = int(reached[0])
        cut = int(candidates[position])
        intersects = position > 0 or gap[0] == 0
        if position == 0:
            crossing = float(percent[cut])
        else:
            prev = int(candidates[position - 1])
            g0, g1 = float(gap[position - 1]), float(gap[position])
            crossing = float(percent[prev] + (percent[cut] - percent[prev]) * (-g0) / (g1 - g0))
    return CompromiseResult(
        method="hofstee",
        cut_score=cut,
        crossing_percent=crossing,
        intersects=intersects,
        fail_rate=float(fail[cut]),
        pass_rate=1.0 - float(fail[cut]),
    )


def beuk(
    scores: npt.ArrayLike,
    *,
    max_score: int,
    judge_cut_percents: Sequence[float] | npt.ArrayLike,
    judge_pass_rates: Sequence[float] | npt.ArrayLike,
) -> CompromiseResult:
    """Beuk (1984) cut from each judge's cut (percent of max) and expected pass rate (0..1)."""
    k_mean, k_sd = _mean_of(judge_cut_percents)
    p_mean, p_sd = _mean_of(judge_pass_rates)
    if not (0 <= k_mean <= 100 and 0 <= p_mean <= 1):
        raise PsychometricsInputError(
            "bad_judgements", "cuts are percentages (0..100) and pass rates proportions (0..1)"
        )
    fail = _fail_curve(scores, max_score)
    pass_rate = 1.0 - fail
    percent = 100.0 * np.arange(max_score + 1) / max_score
    if k_sd == 0:
        cut = int(np.clip(math.ceil(k_mean * max_score / 100.0 - 1e-9), 0, max_score))
        return CompromiseResult(
            method="beuk",
            cut_score=cut,
            crossing_percent=k_mean,
            intersects=True,
            fail_rate=float(fail[cut]),
            pass_rate=float(pass_rate[cut]),
        )
    slope = p_sd / k_sd
    line = p_mean + slope * (percent - k_mean)
    gap = line - pass_rate  # increasing in the cut
    reached = np.flatnonzero(gap >= 0)
    if reached.size == 0:
        cut, crossing, intersects = max_score, 100.0, False
    elif reached[0] == 0:
        cut, crossing, intersects = 0, 0.0, bool(gap[0] == 0)
    else:
        cut = int(reached[0])
        g0, g1 = float(gap[cut - 1]), float(gap[cut])
        crossing = float(percent[cut - 1] + (percent[cut] - percent[cut - 1]) * (-g0) / (g1 - g0))
        intersects = True
    return CompromiseResult(
        method="beuk",
        cut_score=cut,
        crossing_percent=crossing,
        intersects=intersects,
        fail_rate=float(fail[cut]),
        pass_rate=float(pass_rate[cut]),
    )
