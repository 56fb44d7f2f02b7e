"""Exam security screening: person fit and answer similarity between pairs of candidates.

Both are *screening* statistics: they point a psychometrician at response records worth a
closer look; they prove nothing by themselves.

**Person fit, lz*** (Snijders 2001; the lz index of Drasgow, Levine & Williams 1985 corrected
for the estimated trait). With ``w_j = log(P_j / Q_j)``, ``r_j = P'_j / (P_j Q_j) = a_j``,
``c = sum P'_j w_j / sum P'_j r_j`` and ``w~_j = w_j - c r_j``::

    lz* = (sum_j (x_j - P_j) w_j + c r_0) / sqrt(sum_j w~_j^2 P_j Q_j)

evaluated at the trait estimate, where ``r_0 = 0`` for the MLE and ``J / (2 I)`` for Warm's WLE
(Magis, Raîche & Béland 2012). Large negative values (below -1.645 one-sided at 5 %)
flag aberrant patterns such as a weak candidate answering hard items correctly.

**Answer similarity**: the generalized binomial test of van der Linden & Sotaridona (2006) on the
number of identical responses of each pair. Under independence, the chance that candidates *u*
and *v* give the same response to item *j* is ``p_j = sum_o pi_uo pi_vo``, where ``pi`` are
option probabilities conditional on ability. They are estimated, as in Frary, Tideman & Watts
(1977), by the option proportions among candidates with the same total score (score levels
pooled until each group holds ``min_group_size`` candidates). The number of matches is then a
sum of independent Bernoulli variables; its exact upper tail (a Poisson-binomial recursion) is
the pair's p-value. All pairs are evaluated by matrix products in blocks of rows, so a few
thousand candidates (millions of pairs) take seconds; pairs are flagged below a Bonferroni-
corrected level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from peritus.psychometrics.arrays import BoolArray, FloatArray, IntArray
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError
from peritus.psychometrics.irt import IrtModel, logistic

LZ_FLAG = -1.645


def lz_star(
    model: IrtModel,
    responses: npt.ArrayLike,
    theta: npt.ArrayLike,
    *,
    estimator: str = "wle",
    observed: npt.ArrayLike | None = None,
) -> FloatArray:
    """Snijders' lz* for each candidate; columns of ``responses`` follow ``model.item_ids``.

    NaN where the statistic is undefined (no trait estimate, or no variance left after the
    correction, e.g. fewer than two answered items).
    """
    if estimator not in ("wle", "mle"):
        raise PsychometricsInputError("bad_estimator", "estimator must be 'wle' or 'mle'")
    raw = np.asarray(responses, dtype=np.float64)
    mask = np.isfinite(raw)
    if observed is not None:
        mask &= np.asarray(observed, dtype=np.bool_)
    x = np.where(mask, raw, 0.0)
    t = np.asarray(theta, dtype=np.float64).reshape(-1)
    if x.ndim != 2 or x.shape[1] != model.n_items or t.shape != (x.shape[0],):
        raise PsychometricsInputError(
            "bad_shape", "one row per candidate and one column per calibrated item"
        )
    finite = np.isfinite(t)
    theta_safe = np.where(finite, t, 0.0)
    a = model.a[None, :]
    p = logistic(a * (theta_safe[:, None] - model.b[None, :]))
    q = 1.0 - p
    pq = p * q * mask
    w = a * (theta_safe[:, None] - model.b[None, :])
    derivative = a * pq
    r = np.broadcast_to(a, p.shape)
    numerator_c = (derivative * w).sum(axis=1)
    denominator_c = (derivative * r).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(denominator_c > 0, numerator_c / denominator_c, 0.0)
        w_tilde = w - c[:, None] * r
        variance = (w_tilde**2 * pq).sum(axis=1)
        statistic = ((x - p) * mask * w).sum(axis=1)
        if estimator == "wle":
            info = (a**2 * pq).sum(axis=1)
            j_term = (a**3 * pq * (1.0 - 2.0 * p)).sum(axis=1)
            r0 = np.where(info > 0, j_term / (2.0 * info), 0.0)
            statistic = statistic + c * r0
        result = np.where(finite & (variance > 1e-12), statistic / np.sqrt(variance), math.nan)
    return np.asarray(result, dtype=np.float64)


@dataclass(frozen=True)
class SimilarPair:
    first: int
    second: int
    identical: int
    identical_incorrect: int
    expected: float
    z: float
    p_value: float


@dataclass(frozen=True)
class SimilarityScreen:
    n_candidates: int
    n_pairs: int
    alpha: float
    threshold: float
    flagged: tuple[SimilarPair, ...]
    most_similar: tuple[SimilarPair, ...]
    n_groups: int
    method: str = "generalized binomial test (van der Linden & Sotaridona 2006)"


def _score_groups(totals: IntArray, min_group_size: int) -> IntArray:
    """Group index per candidate: adjacent score levels pooled to at least min_group_size."""
    levels, inverse, counts = np.unique(totals, return_inverse=True, return_counts=True)
    group_of_level = np.zeros(levels.size, dtype=np.int64)
    group = 0
    filled = 0
    for index, count in enumerate(counts):
        group_of_level[index] = group
        filled += int(count)
        if filled >= min_group_size and index < levels.size - 1:
            remaining = int(counts[index + 1 :].sum())
            if remaining >= min_group_size:
                group += 1
                filled = 0
    result: IntArray = group_of_level[inverse]
    return result


def _tail_table(match_probability: FloatArray) -> FloatArray:
    """P(M >= m) for a sum of independent Bernoullis; input (..., items) -> (..., items + 1)."""
    shape = match_probability.shape
    n_items = shape[-1]
    flat = match_probability.reshape(-1, n_items)
    dist = np.zeros((flat.shape[0], n_items + 1))
    dist[:, 0] = 1.0
    for j in range(n_items):
        p = flat[:, j][:, None]
        grown = dist * (1.0 - p)
        grown[:, 1:] += dist[:, :-1] * p
        dist = grown
    tail = np.cumsum(dist[:, ::-1], axis=1)[:, ::-1]
    result: FloatArray = np.clip(tail, 0.0, 1.0).reshape(*shape[:-1], n_items + 1)
    return result


def answer_similarity(
    responses: npt.ArrayLike,
    totals: npt.ArrayLike,
    *,
    correct: npt.ArrayLike | None = None,
    omitted: npt.ArrayLike | None = None,
    alpha: float = 0.05,
    min_group_size: int = 20,
    report_top: int = 20,
    block_rows: int = 512,
) -> SimilarityScreen:
    """Screen every pair of candidates for an improbable number of identical responses.

    ``responses``: candidates x items, any integer code per response (option index or bit mask;
    0/1 scores also work). ``omitted`` cells never count as matches. ``correct`` (0/1 scores)
    lets the report count identical *incorrect* responses too. ``alpha`` is the family-wise
    level, Bonferroni-divided by the number of pairs.
    """
    codes_raw = np.asarray(responses)
    if codes_raw.ndim != 2:
        raise PsychometricsInputError("not_a_matrix", "responses must be a two-dimensional array")
    n, k = codes_raw.shape
    if n < 2:
        raise PsychometricsError("too_few_candidates", "similarity needs at least two candidates")
    total = np.asarray(totals, dtype=np.int64).reshape(-1)
    if total.shape != (n,):
        raise PsychometricsInputError("bad_totals", "give one total score per candidate")
    skip: BoolArray = (
        np.zeros((n, k), dtype=np.bool_) if omitted is None else np.asarray(omitted, dtype=np.bool_)
    )
    # Recode each item's responses to 0..C-1 so options become columns of one indicator matrix.
    codes = np.zeros((n, k), dtype=np.int64)
    n_categories = 0
    for j in range(k):
        _, inverse = np.unique(codes_raw[:, j], return_inverse=True)
        codes[:, j] = inverse
        n_categories = max(n_categories, int(inverse.max()) + 1)
    indicator = np.zeros((n, k * n_categories), dtype=np.float32)
    columns = (np.arange(k)[None, :] * n_categories + codes).reshape(-1)
    indicator[np.repeat(np.arange(n), k), columns] = (~skip).reshape(-1)

    groups = _score_groups(total, max(1, min_group_size))
    n_groups = int(groups.max()) + 1
    group_size = np.bincount(groups, minlength=n_groups).astype(np.float64)
    by_group = np.zeros((n_groups, k * n_categories))
    np.add.at(by_group, groups, indicator)
    pi = (by_group / group_size[:, None]).reshape(n_groups, k, n_categories)
    match_p = np.clip(np.einsum("gjc,hjc->ghj", pi, pi), 0.0, 1.0)
    tail = _tail_table(match_p)
    expected_table = match_p.sum(axis=2)
    variance_table = (match_p * (1.0 - match_p)).sum(axis=2)

    wrong: FloatArray | None = None
    if correct is not None:
        wrong_mask = (np.asarray(correct, dtype=np.float64) == 0) & ~skip
        wrong = indicator * np.repeat(wrong_mask, n_categories, axis=1)

    n_pairs = n * (n - 1) // 2
    threshold = alpha / n_pairs
    flagged: list[SimilarPair] = []
    best: list[tuple[float, int, int, int]] = []
    for start in range(0, n, block_rows):
        stop = min(start + block_rows, n)
        matches = np.rint(indicator[start:stop] @ indicator[start:].T).astype(np.int64)
        g_rows = groups[start:stop][:, None]
        g_cols = groups[start:][None, :]
        p_values = tail[g_rows, g_cols, matches]
        local = np.arange(stop - start)[:, None]
        upper = np.arange(n - start)[None, :] > local  # pairs (u, v) with u < v only
        p_values = np.where(upper, p_values, 1.0)
        hits = np.argwhere(p_values <= threshold)
        for row, col in hits:
            flagged.append(
                _pair(
                    start + int(row),
                    start + int(col),
                    int(matches[row, col]),
                    groups=groups,
                    expected_table=expected_table,
                    variance_table=variance_table,
                    p_value=float(p_values[row, col]),
                    wrong=wrong,
                )
            )
        if report_top > 0:
            flat = p_values.ravel()
            take = min(report_top, flat.size)
            idx = np.argpartition(flat, take - 1)[:take]
            for index in idx:
                row, col = divmod(int(index), p_values.shape[1])
                if upper[row, col]:
                    best.append(
                        (float(flat[index]), start + row, start + col, int(matches[row, col]))
                    )
    best.sort()
    most = tuple(
        _pair(
            u,
            v,
            m,
            groups=groups,
            expected_table=expected_table,
            variance_table=variance_table,
            p_value=p,
            wrong=wrong,
        )
        for p, u, v, m in best[:report_top]
    )
    flagged.sort(key=lambda pair: pair.p_value)
    return SimilarityScreen(
        n_candidates=n,
        n_pairs=n_pairs,
        alpha=alpha,
        threshold=threshold,
        flagged=tuple(flagged),
        most_similar=most,
        n_groups=n_groups,
    )


def _pair(
    u: int,
    v: int,
    matches: int,
    *,
    groups: IntArray,
    expected_table: FloatArray,
    variance_table: FloatArray,
    p_value: float,
    wrong: FloatArray | None,
) -> SimilarPair:
    expected = float(expected_table[groups[u], groups[v]])
    variance = float(variance_table[groups[u], groups[v]])
    z = (matches - expected) / math.sqrt(variance) if variance > 0 else math.nan
    identical_incorrect = int(np.rint(float(wrong[u] @ wrong[v]))) if wrong is not None else -1
    return SimilarPair(
        first=int(u),
        second=int(v),
        identical=int(matches),
        identical_incorrect=identical_incorrect,
        expected=expected,
        z=z,
        p_value=p_value,
    )
