"""Differential item functioning by the Mantel-Haenszel procedure (Holland & Thayer 1988).

For each item, candidates of a reference and a focal group are matched on the total score
(including the studied item, as Holland & Thayer recommend) and, within each score level *k*,
the 2 x 2 table

===========  =========  ===========
group        correct    incorrect
===========  =========  ===========
reference    A_k        B_k
focal        C_k        D_k
===========  =========  ===========

is formed. Then

* common odds ratio ``alpha_MH = sum(A D / T) / sum(B C / T)`` (Mantel & Haenszel 1959);
* ``MH D-DIF = -2.35 ln(alpha_MH)`` on the ETS delta scale (Holland & Thayer 1988); negative
  values mean the item is harder for the focal group than for matched reference candidates;
* its standard error from the Robins, Breslow & Greenland (1986) variance of ``ln alpha_MH``
  (the estimator Phillips & Holland 1987 derived for DIF);
* ``MH chi-square = (|sum A - sum E(A)| - 1/2)^2 / sum Var(A)`` with continuity correction,
  ``E(A) = n_R m_1 / T`` and ``Var(A) = n_R n_F m_1 m_0 / (T^2 (T - 1))`` (Mantel & Haenszel
  1959);
* the ETS categories (Zieky 1993; Zwick 2012): **A** when ``|D| < 1`` or the chi-square is not
  significant at ``alpha``; **C** when ``|D| >= 1.5`` and ``|D|`` is significantly larger than 1
  (``(|D| - 1) / SE > z`` one-sided at ``alpha``); **B** otherwise. The sign is appended: ``-``
  favours the reference group, ``+`` the focal group.

Strata with fewer than two candidates, or with only one group present, carry no information and
drop out of every sum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from peritus.psychometrics.arrays import FloatArray, IntArray, finite_or_none
from peritus.psychometrics.classical import sums_by_level
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError

DELTA_SCALE = 2.35  # 4 / 1.702: the ETS delta metric (Holland & Thayer 1988)


@dataclass(frozen=True)
class MantelHaenszelDif:
    """MH DIF statistics for one reference/focal comparison; arrays are indexed by item."""

    item_ids: tuple[str, ...]
    reference: str
    focal: str
    n_reference: int
    n_focal: int
    alpha_mh: FloatArray
    d_dif: FloatArray
    se_d_dif: FloatArray
    chi_square: FloatArray
    p_value: FloatArray
    category: tuple[str, ...]
    matching: str

    def records(self) -> list[dict[str, object]]:
        return [
            {
                "item_id": item,
                "alpha_mh": finite_or_none(self.alpha_mh[j]),
                "mh_d_dif": finite_or_none(self.d_dif[j]),
                "se": finite_or_none(self.se_d_dif[j]),
                "chi_square": finite_or_none(self.chi_square[j]),
                "p_value": finite_or_none(self.p_value[j]),
                "category": self.category[j] or None,
            }
            for j, item in enumerate(self.item_ids)
        ]


@dataclass(frozen=True)
class StratifiedTables:
    """Per-stratum 2 x 2 counts, strata x items: reference correct/incorrect, focal ditto."""

    a: FloatArray
    b: FloatArray
    c: FloatArray
    d: FloatArray


def mantel_haenszel_from_tables(
    tables: StratifiedTables, *, alpha: float = 0.05
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, tuple[str, ...]]:
    """(alpha_MH, D-DIF, SE(D-DIF), chi-square, p, ETS category) per column of the tables."""
    a, b, c, d = tables.a, tables.b, tables.c, tables.d
    t = a + b + c + d
    n_ref = a + b
    n_foc = c + d
    usable = (t >= 2) & (n_ref > 0) & (n_foc > 0)
    safe_t = np.where(usable, t, 1.0)
    r = np.where(usable, a * d / safe_t, 0.0)
    s = np.where(usable, b * c / safe_t, 0.0)
    p_ = np.where(usable, (a + d) / safe_t, 0.0)
    q_ = np.where(usable, (b + c) / safe_t, 0.0)
    sum_r = r.sum(axis=0)
    sum_s = s.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha_mh = np.where((sum_r > 0) & (sum_s > 0), sum_r / sum_s, math.nan)
        var_log = (
            (p_ * r).sum(axis=0) / (2.0 * sum_r**2)
            + (p_ * s + q_ * r).sum(axis=0) / (2.0 * sum_r * sum_s)
            + (q_ * s).sum(axis=0) / (2.0 * sum_s**2)
        )
        d_dif = -DELTA_SCALE * np.log(alpha_mh)
        se = np.where(np.isfinite(d_dif), DELTA_SCALE * np.sqrt(var_log), math.nan)
        m1 = a + c
        m0 = b + d
        expected = np.where(usable, n_ref * m1 / safe_t, 0.0)
        variance = np.where(
            usable & (t > 1), n_ref * n_foc * m1 * m0 / (safe_t**2 * (safe_t - 1.0)), 0.0
        )
        sum_var = variance.sum(axis=0)
        deviation = np.abs(np.where(usable, a, 0.0).sum(axis=0) - expected.sum(axis=0))
        chi = np.where(sum_var > 0, np.maximum(deviation - 0.5, 0.0) ** 2 / sum_var, math.nan)
    p_value = np.where(np.isfinite(chi), stats.chi2.sf(np.nan_to_num(chi), 1), math.nan)
    z = float(stats.norm.ppf(1.0 - alpha))
    categories: list[str] = []
    for j in range(alpha_mh.size):
        categories.append(
            ets_category(float(d_dif[j]), float(se[j]), float(p_value[j]), alpha=alpha, z=z)
        )
    return (
        np.asarray(alpha_mh, dtype=np.float64),
        np.asarray(d_dif, dtype=np.float64),
        np.asarray(se, dtype=np.float64),
        np.asarray(chi, dtype=np.float64),
        np.asarray(p_value, dtype=np.float64),
        tuple(categories),
    )


def ets_category(d_dif: float, se: float, p_value: float, *, alpha: float, z: float) -> str:
    """ETS A/B/C with the direction sign (``""`` when D-DIF is undefined)."""
    if not math.isfinite(d_dif):
        return ""
    size = abs(d_dif)
    sign = "-" if d_dif < 0 else "+"
    if size < 1.0 or not (math.isfinite(p_value) and p_value < alpha):
        return "A"
    if size >= 1.5 and math.isfinite(se) and se > 0 and (size - 1.0) / se > z:
        return "C" + sign
    return "B" + sign


def _tables(
    scores: FloatArray,
    matching: IntArray,
    is_reference: npt.NDArray[np.bool_],
    is_focal: npt.NDArray[np.bool_],
) -> StratifiedTables:
    n_levels = int(matching.max()) + 1
    ref_correct = sums_by_level(scores[is_reference], matching[is_reference], n_levels)
    foc_correct = sums_by_level(scores[is_focal], matching[is_focal], n_levels)
    ref_n = np.bincount(matching[is_reference], minlength=n_levels).astype(np.float64)[:, None]
    foc_n = np.bincount(matching[is_focal], minlength=n_levels).astype(np.float64)[:, None]
    return StratifiedTables(
        a=ref_correct, b=ref_n - ref_correct, c=foc_correct, d=foc_n - foc_correct
    )


def mantel_haenszel(
    scores: npt.ArrayLike,
    groups: Sequence[str | None] | npt.ArrayLike,
    *,
    reference: str,
    focal: str,
    item_ids: Sequence[str] | None = None,
    alpha: float = 0.05,
    purify: bool = False,
    matching_scores: npt.ArrayLike | None = None,
) -> MantelHaenszelDif:
    """Mantel-Haenszel DIF of every 0/1 item between two candidate groups.

    ``groups`` labels each candidate (``None`` or another label leaves the candidate out).
    ``purify`` re-runs the analysis once with the matching total computed without the items
    classified C in the first run (criterion refinement; Holland & Thayer 1988, Zwick 2012),
    always keeping the studied item in its own matching score.
    """
    x = np.asarray(scores, dtype=np.float64)
    if x.ndim != 2:
        raise PsychometricsInputError("not_a_matrix", "scores must be a two-dimensional array")
    n, k = x.shape
    labels = np.asarray(groups, dtype=object)
    if labels.shape != (n,):
        raise PsychometricsInputError("bad_groups", "give one group label per candidate")
    if np.any((x != 0) & (x != 1)):
        raise PsychometricsInputError(
            "not_dichotomous", "Mantel-Haenszel DIF here needs 0/1 item scores"
        )
    is_reference = labels == reference
    is_focal = labels == focal
    if not is_reference.any() or not is_focal.any():
        raise PsychometricsError(
            "empty_group", f"both groups need candidates ({reference!r}, {focal!r})"
        )
    ids = tuple(item_ids) if item_ids is not None else tuple(f"item{j + 1}" for j in range(k))
    if matching_scores is not None:
        matching = np.asarray(matching_scores, dtype=np.int64)
        tables = _tables(x, matching, is_reference, is_focal)
        result = mantel_haenszel_from_tables(tables, alpha=alpha)
        description = "given matching scores"
    else:
        totals = x.sum(axis=1).astype(np.int64)
        tables = _tables(x, totals, is_reference, is_focal)
        result = mantel_haenszel_from_tables(tables, alpha=alpha)
        description = "total score including the studied item"
        if purify:
            flagged = np.array([cat.startswith("C") for cat in result[5]])
            if flagged.any():
                base = x[:, ~flagged].sum(axis=1).astype(np.int64)
                refined = []
                for j in range(k):
                    own = base + (x[:, j].astype(np.int64) if flagged[j] else 0)
                    item_tables = _tables(x[:, [j]], own, is_reference, is_focal)
                    refined.append(mantel_haenszel_from_tables(item_tables, alpha=alpha))
                result = (
                    np.array([r[0][0] for r in refined]),
                    np.array([r[1][0] for r in refined]),
                    np.array([r[2][0] for r in refined]),
                    np.array([r[3][0] for r in refined]),
                    np.array([r[4][0] for r in refined]),
                    tuple(r[5][0] for r in refined),
                )
                description = "total score without C items (purified), plus the studied item"
    alpha_mh, d_dif, se, chi, p_value, categories = result
    return MantelHaenszelDif(
        item_ids=ids,
        reference=reference,
        focal=focal,
        n_reference=int(is_reference.sum()),
        n_focal=int(is_focal.sum()),
        alpha_mh=alpha_mh,
        d_dif=d_dif,
        se_d_dif=se,
        chi_square=chi,
        p_value=p_value,
        category=categories,
        matching=description,
    )
