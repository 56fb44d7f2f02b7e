"""Classical test theory: item and test statistics in one pass over the response matrix.

The engine never makes a floating-point copy of the response matrix. It reads it in blocks of
rows, and from each block keeps only integer sufficient statistics:

* each candidate's total score;
* the *score-level table* ``N[s, j]``: the sum of item *j*'s scores over the candidates whose
  total is *s* (and, for keyed items, how many candidates at each level chose each option).

Everything else is exact integer arithmetic on these tables followed by one division: item
means and variances, item-total covariances (``sum_s s * N[s, j]``), upper and lower groups,
score groups, empirical item characteristic curves, the conditional SEM. Memory is O(n) for the
totals plus O(levels x items); a 1,000,000 x 200 int8 matrix is analysed with a few megabytes
on top of the matrix itself.

Variances divide by *n* (``ddof = 0``, the variance of the candidates tested) unless the name
says ``ddof``; coefficient alpha and KR-20 are ratios of variances, so the choice does not change
them. Undefined statistics (a correlation with an item everyone answered the same way, alpha of
a one-item test, anything with a constant total score) are NaN here and ``None`` in reports,
each with a note saying why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from peritus.psychometrics.arrays import FloatArray, IntArray
from peritus.psychometrics.distractors import OptionStatistics, option_statistics
from peritus.psychometrics.errors import PsychometricsInputError
from peritus.psychometrics.reliability import (
    binomial_csem,
    biserial_from_point_biserial,
    coefficient_alpha,
    kr20,
    kr21,
    standard_error_of_measurement,
)
from peritus.psychometrics.score_levels import LevelTables, scan, sums_by_level
from peritus.psychometrics.scoring import ItemKey, ScoredResponses

__all__ = [
    "ClassicalAnalysis",
    "OptionStatistics",
    "TestStatistics",
    "analyze",
    "analyze_responses",
    "binomial_csem",
    "biserial_from_point_biserial",
    "coefficient_alpha",
    "kr20",
    "kr21",
    "score_group_bounds",
    "standard_error_of_measurement",
    "sums_by_level",
]

DEFAULT_CHUNK_ROWS = 4096
# Kelley (1939): upper and lower 27 % groups maximise the difference while keeping the groups
# large enough to be stable.
KELLEY_FRACTION = 0.27


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestStatistics:
    n_candidates: int
    n_items: int
    max_score: int
    mean: float
    sd: float
    sd_ddof: float
    variance: float
    minimum: int
    maximum: int
    median: float
    kr20: float
    kr21: float
    alpha: float
    sem: float
    mean_p_value: float
    mean_item_rest: float
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassicalAnalysis:
    """Classical item and test statistics; arrays are indexed by item unless stated."""

    item_ids: tuple[str, ...]
    max_scores: IntArray
    test: TestStatistics
    mean: FloatArray
    p_value: FloatArray
    variance: FloatArray
    sd: FloatArray
    point_biserial: FloatArray
    biserial: FloatArray
    item_rest_correlation: FloatArray
    alpha_if_deleted: FloatArray
    upper_p: FloatArray
    lower_p: FloatArray
    discrimination_index: FloatArray
    n_omitted: IntArray | None
    n_not_reached: IntArray | None
    totals: npt.NDArray[np.integer[Any]]
    score_levels: IntArray
    score_counts: IntArray
    level_item_sums: npt.NDArray[np.int64]
    csem: FloatArray
    group_bounds: tuple[tuple[int, int], ...]
    group_counts: IntArray
    group_item_means: FloatArray
    options: OptionStatistics | None = None
    item_notes: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def n_candidates(self) -> int:
        return self.test.n_candidates

    @property
    def n_items(self) -> int:
        return self.test.n_items

    @property
    def is_dichotomous(self) -> bool:
        return bool(np.all(self.max_scores == 1))


# --------------------------------------------------------------------------------------------
# From sufficient statistics to statistics
# --------------------------------------------------------------------------------------------


def _extreme_weights(counts: IntArray, fraction: float, *, upper: bool) -> FloatArray:
    """Weight of each score level in the upper (or lower) group of ``fraction * n`` candidates.

    Candidates tied at the boundary score are split fractionally, so the group holds exactly
    ``fraction * n`` candidates and the result does not depend on the order of the file.
    """
    n = float(counts.sum())
    target = fraction * n
    ordered = counts[::-1] if upper else counts
    before = np.concatenate(([0.0], np.cumsum(ordered)[:-1].astype(np.float64)))
    take = np.clip(target - before, 0.0, ordered.astype(np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = np.where(ordered > 0, take / ordered, 0.0)
    result: FloatArray = weights[::-1] if upper else weights
    return result


def score_group_bounds(counts: IntArray, n_groups: int) -> list[tuple[int, int]]:
    """Split score levels into at most ``n_groups`` groups of roughly equal size.

    A score level is never split (candidates with the same total belong to the same group); a
    level goes to the group its mid-rank falls in. Empty groups are dropped.
    """
    n = int(counts.sum())
    if n == 0:
        return []
    cumulative = np.cumsum(counts)
    mid = (cumulative - counts / 2.0) / n
    group_of_level = np.minimum((mid * n_groups).astype(np.int64), n_groups - 1)
    bounds: list[tuple[int, int]] = []
    for g in range(n_groups):
        levels = np.flatnonzero((group_of_level == g) & (counts > 0))
        if levels.size:
            bounds.append((int(levels[0]), int(levels[-1])))
    return bounds


def _exact(values: npt.NDArray[np.int64]) -> list[int]:
    return [int(v) for v in values]


def _correlations(cov_num: Sequence[int], var_a: Sequence[int], var_b: Sequence[int]) -> FloatArray:
    """Pearson r from exact integer numerators; NaN when either variance is zero."""
    out = np.full(len(cov_num), math.nan)
    for j, (c, va, vb) in enumerate(zip(cov_num, var_a, var_b, strict=True)):
        if va > 0 and vb > 0:
            out[j] = c / (math.sqrt(va) * math.sqrt(vb))
    # Rounding in the square roots can push |r| a hair past 1 when r is exactly +-1.
    clipped: FloatArray = np.clip(out, -1.0, 1.0)
    return clipped


def analyze(
    scores: npt.ArrayLike,
    *,
    max_scores: npt.ArrayLike | None = None,
    item_ids: Sequence[str] | None = None,
    selections: npt.NDArray[np.unsignedinteger[Any]] | None = None,
    keys: Sequence[ItemKey] | None = None,
    omitted: npt.NDArray[np.bool_] | None = None,
    not_reached: npt.NDArray[np.bool_] | None = None,
    n_groups: int = 5,
    extreme_fraction: float = KELLEY_FRACTION,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> ClassicalAnalysis:
    """Classical item and test analysis of a candidates x items score matrix.

    ``scores`` may be any integer (ideally int8) array, including a ``numpy.memmap``; it is read
    in blocks of ``chunk_rows`` rows and never copied as a whole. ``max_scores`` defaults to 1
    per item (0/1 data); give it for partial-credit items. ``selections`` (option bit masks) and
    ``keys`` enable the distractor analysis.

    Statistics and sources:

    * p-value: mean item score divided by the maximum (proportion correct for 0/1 items);
    * point-biserial: Pearson correlation of the item with the total score *including* the
      item; item-rest correlation: with the total *excluding* it (Henrysson 1963 on the
      part-whole inflation the rest score avoids);
    * biserial (0/1 items): Lord & Novick (1968, ch. 15);
    * alpha (Cronbach 1951), alpha if item deleted, KR-20 and KR-21 (Kuder & Richardson 1937);
    * SEM: ``sd_ddof * sqrt(1 - alpha)`` (Lord & Novick 1968, ch. 3);
    * conditional SEM per score level: Lord's (1957) binomial error model for 0/1 items; for
      partial-credit items its item-sampling generalisation
      ``k / (k - 1) * (sum_j x_j^2 - x^2 / k)`` averaged over the candidates at each level
      (the item-sampling error variance of Lord's model, which reduces to his formula for
      0/1 items);
    * high-low discrimination index: ``p_upper - p_lower`` for Kelley's (1939) upper and lower
      27 % groups (ties at the boundary shared fractionally).
    """
    matrix = scores if isinstance(scores, np.ndarray) else np.asarray(scores)
    if matrix.ndim != 2:
        raise PsychometricsInputError("not_a_matrix", "scores must be a two-dimensional array")
    n, k = (int(matrix.shape[0]), int(matrix.shape[1]))
    if n == 0:
        raise PsychometricsInputError("no_candidates", "there are no candidates")
    if k == 0:
        raise PsychometricsInputError("no_items", "there are no items")
    if max_scores is None:
        maxima = np.ones(k, dtype=np.int64)
    else:
        maxima = np.asarray(max_scores, dtype=np.int64).reshape(-1)
        if maxima.shape != (k,) or np.any(maxima < 1):
            raise PsychometricsInputError(
                "bad_max_scores", f"max_scores must hold {k} whole numbers of at least 1"
            )
    ids = tuple(item_ids) if item_ids is not None else tuple(f"item{j + 1}" for j in range(k))
    if len(ids) != k:
        raise PsychometricsInputError("bad_labels", "item_ids must have one entry per item")
    n_bits = 0
    if selections is not None:
        if selections.shape != (n, k):
            raise PsychometricsInputError(
                "bad_selections", "selections must have the shape of scores"
            )
        if keys is None or len(keys) != k:
            raise PsychometricsInputError(
                "bad_selections", "keys are needed to analyse option selections"
            )
        n_bits = max((len(key.options) for key in keys), default=0)
        if n_bits == 0:
            selections = None
    # Keep per-block float32 sums exact (below 2**24).
    rows = max(1, min(int(chunk_rows), (1 << 24) // int(maxima.max())))
    acc, totals = scan(matrix, maxima, selections, n_bits, rows)
    return _finish(
        acc,
        totals,
        maxima,
        ids,
        keys=keys,
        omitted=omitted,
        not_reached=not_reached,
        n_groups=n_groups,
        extreme_fraction=extreme_fraction,
    )


def analyze_responses(responses: ScoredResponses, **options: Any) -> ClassicalAnalysis:
    """:func:`analyze` for a :class:`ScoredResponses` read from a file."""
    return analyze(
        responses.scores,
        max_scores=responses.max_scores,
        item_ids=responses.item_ids,
        selections=responses.selections,
        keys=responses.keys,
        omitted=responses.omitted,
        not_reached=responses.not_reached,
        **options,
    )


def _finish(
    acc: LevelTables,
    totals: npt.NDArray[np.integer[Any]],
    maxima: IntArray,
    ids: tuple[str, ...],
    *,
    keys: Sequence[ItemKey] | None,
    omitted: npt.NDArray[np.bool_] | None,
    not_reached: npt.NDArray[np.bool_] | None,
    n_groups: int,
    extreme_fraction: float,
) -> ClassicalAnalysis:
    k = len(ids)
    counts = acc.level_counts
    n = int(counts.sum())
    levels = np.arange(counts.size, dtype=np.int64)
    item_sums = acc.level_sums.sum(axis=0)
    cross = levels @ acc.level_sums  # sum_i x_ij * t_i, exact
    sum_t = int(levels @ counts)
    sum_t2 = int((levels * levels) @ counts)
    # Exact integer numerators (n^2 times the variance or covariance): a constant item or total
    # gives exactly zero, never a rounding residue that would turn into a spurious correlation.
    var_item_num = [
        n * q - s * s for q, s in zip(_exact(acc.squares), _exact(item_sums), strict=True)
    ]
    var_total_num = n * sum_t2 - sum_t * sum_t
    cov_num = [n * c - s * sum_t for c, s in zip(_exact(cross), _exact(item_sums), strict=True)]
    rest_cov_num = [c - v for c, v in zip(cov_num, var_item_num, strict=True)]
    rest_var_num = [var_total_num - 2 * c + v for c, v in zip(cov_num, var_item_num, strict=True)]
    n2 = float(n) * float(n)

    mean = item_sums / n
    p_value = mean / maxima
    variance = np.array(var_item_num, dtype=np.float64) / n2
    total_variance = var_total_num / n2
    point_biserial = _correlations(cov_num, var_item_num, [var_total_num] * k)
    item_rest = _correlations(rest_cov_num, var_item_num, rest_var_num)
    dichotomous = bool(np.all(maxima == 1))
    biserial = (
        biserial_from_point_biserial(point_biserial, p_value)
        if dichotomous
        else np.full(k, math.nan)
    )

    variance_sum = float(np.sum(np.array(var_item_num, dtype=np.float64))) / n2
    alpha = coefficient_alpha(variance_sum, total_variance, k)
    alpha_deleted = np.full(k, math.nan)
    if k > 2:
        for j in range(k):
            rest_variance = rest_var_num[j] / n2
            alpha_deleted[j] = coefficient_alpha(variance_sum - variance[j], rest_variance, k - 1)
    mean_total = sum_t / n
    sd = math.sqrt(total_variance)
    sd_ddof = math.sqrt(var_total_num / (float(n) * (n - 1))) if n > 1 else math.nan
    kr20_value = kr20(p_value, total_variance) if dichotomous else math.nan
    kr21_value = kr21(mean_total, total_variance, k) if dichotomous else math.nan
    sem = standard_error_of_measurement(sd_ddof, alpha)

    upper_w = _extreme_weights(counts, extreme_fraction, upper=True)
    lower_w = _extreme_weights(counts, extreme_fraction, upper=False)
    n_upper = float(upper_w @ counts)
    n_lower = float(lower_w @ counts)
    upper_p = (upper_w @ acc.level_sums) / (n_upper * maxima)
    lower_p = (lower_w @ acc.level_sums) / (n_lower * maxima)
    discrimination = upper_p - lower_p
    if not var_total_num > 0:
        upper_p[:] = math.nan
        lower_p[:] = math.nan
        discrimination[:] = math.nan

    occupied = counts > 0
    csem = np.full(counts.size, math.nan)
    if k > 1:
        if dichotomous:
            csem[occupied] = binomial_csem(levels[occupied], k)
        else:
            within = acc.level_row_squares[occupied] / counts[occupied]
            spread = k / (k - 1) * (within - levels[occupied] ** 2 / k)
            csem[occupied] = np.sqrt(np.clip(spread, 0.0, None))

    bounds = score_group_bounds(counts, max(1, n_groups))
    group_counts = np.array([counts[lo : hi + 1].sum() for lo, hi in bounds], dtype=np.int64)
    group_means = (
        np.array(
            [acc.level_sums[lo : hi + 1].sum(axis=0) for lo, hi in bounds], dtype=np.float64
        ).reshape(len(bounds), k)
        / np.maximum(group_counts, 1)[:, None]
    )

    observed_levels = np.flatnonzero(occupied)
    cumulative = np.cumsum(counts)
    median_level = int(np.searchsorted(cumulative, (n + 1) // 2))
    if n % 2 == 0:
        upper_median = int(np.searchsorted(cumulative, n // 2 + 1))
        median = (median_level + upper_median) / 2.0
    else:
        median = float(median_level)

    notes: list[str] = []
    if n == 1:
        notes.append("single_candidate: variances, correlations and reliability are undefined")
    elif not var_total_num > 0:
        notes.append("constant_total: every candidate has the same total score")
    if k == 1:
        notes.append("single_item: reliability is undefined for a one-item test")
    if not dichotomous:
        notes.append("polytomous: KR-20 and KR-21 apply to 0/1 items only; see alpha")

    item_notes: list[tuple[str, ...]] = []
    for j in range(k):
        reasons: list[str] = []
        if var_item_num[j] == 0:
            reasons.append(
                "no_variance: every candidate scored the same, so correlations are undefined"
            )
        elif rest_var_num[j] == 0 and k > 1:
            reasons.append("constant_rest: the rest score does not vary")
        item_notes.append(tuple(reasons))

    test = TestStatistics(
        n_candidates=n,
        n_items=k,
        max_score=int(maxima.sum()),
        mean=mean_total,
        sd=sd,
        sd_ddof=sd_ddof,
        variance=total_variance,
        minimum=int(observed_levels[0]),
        maximum=int(observed_levels[-1]),
        median=median,
        kr20=kr20_value,
        kr21=kr21_value,
        alpha=alpha,
        sem=sem,
        mean_p_value=float(np.mean(p_value)),
        mean_item_rest=float(np.nanmean(item_rest)) if np.any(np.isfinite(item_rest)) else math.nan,
        notes=tuple(notes),
    )
    options = (
        option_statistics(
            acc,
            keys=keys,
            counts=counts,
            rest_var_num=rest_var_num,
            item_sums=item_sums,
            sum_t=sum_t,
            bounds=bounds,
            upper_w=upper_w,
            lower_w=lower_w,
        )
        if keys is not None and acc.option_levels.size
        else None
    )
    return ClassicalAnalysis(
        item_ids=ids,
        max_scores=maxima,
        test=test,
        mean=mean,
        p_value=p_value,
        variance=variance,
        sd=np.sqrt(variance),
        point_biserial=point_biserial,
        biserial=biserial,
        item_rest_correlation=item_rest,
        alpha_if_deleted=alpha_deleted,
        upper_p=upper_p,
        lower_p=lower_p,
        discrimination_index=discrimination,
        n_omitted=None if omitted is None else omitted.sum(axis=0).astype(np.int64),
        n_not_reached=None if not_reached is None else not_reached.sum(axis=0).astype(np.int64),
        totals=totals,
        score_levels=levels,
        score_counts=counts,
        level_item_sums=acc.level_sums,
        csem=csem,
        group_bounds=tuple(bounds),
        group_counts=group_counts,
        group_item_means=group_means,
        options=options,
        item_notes=tuple(item_notes),
    )
