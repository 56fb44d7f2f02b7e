"""Item fit for calibrated Rasch and 2PL models.

* **S-X²** (Orlando & Thissen 2000): compares, at each summed score, the observed proportion
  correct on an item with the proportion the model predicts for candidates with that summed
  score. The prediction uses the Lord-Wingersky (1984) recursion for the summed-score
  distribution, so no trait estimate enters the statistic. Score groups with an expected count
  (correct or incorrect) below ``min_expected`` are merged with a neighbour, as Orlando &
  Thissen recommend (merging towards the neighbour with fewer candidates, the rule mirt uses).
  Degrees of freedom: the number of score groups left minus the item's free parameters (2 for
  the 2PL, 1 for the Rasch model). It needs complete 0/1 data.
* **Infit and outfit mean squares** (Wright & Masters 1982, ch. 5): information-weighted and
  unweighted means of squared standardised residuals, with candidates placed at their WLE;
  candidates with extreme patterns are left out, as is usual. Expected value 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from peritus.psychometrics.ability import AbilityEstimates, estimate_abilities
from peritus.psychometrics.arrays import FloatArray, IntArray
from peritus.psychometrics.errors import PsychometricsError
from peritus.psychometrics.irt import IrtModel, logistic


@dataclass(frozen=True)
class ItemFit:
    item_ids: tuple[str, ...]
    s_x2: FloatArray
    s_x2_df: IntArray
    s_x2_p: FloatArray
    infit: FloatArray
    outfit: FloatArray
    notes: tuple[str, ...] = ()


def summed_score_likelihoods(p: FloatArray) -> FloatArray:
    """Lord & Wingersky (1984) recursion: P(summed score = s | node) for s = 0..J.

    ``p`` is items x nodes; the result is (J + 1) x nodes.
    """
    n_items, n_nodes = p.shape
    dist = np.zeros((n_items + 1, n_nodes))
    dist[0] = 1.0
    for j in range(n_items):
        grown = dist * (1.0 - p[j])
        grown[1:] += dist[:-1] * p[j]
        dist = grown
    return dist


def _leave_one_out(p: FloatArray) -> FloatArray:
    """P(summed score over the other items = s | node), for every item at once.

    Result shape: items x J x nodes (scores 0..J-1 without the excluded item).
    """
    n_items, n_nodes = p.shape
    dist = np.zeros((n_items, n_items, n_nodes))
    dist[:, 0, :] = 1.0
    for k in range(n_items):
        others = np.arange(n_items) != k
        block = dist[others]
        grown = block * (1.0 - p[k])
        grown[:, 1:, :] += block[:, :-1, :] * p[k]
        dist[others] = grown
    return dist


def _collapse(
    n: FloatArray, observed: FloatArray, expected: FloatArray, min_expected: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Merge adjacent score groups until every expected count is at least ``min_expected``."""
    groups_n = list(n)
    groups_o = list(observed)
    groups_e = list(expected)
    while len(groups_n) > 1:
        small = [
            g
            for g in range(len(groups_n))
            if (0 < groups_e[g] < min_expected) or (0 < groups_n[g] - groups_e[g] < min_expected)
        ]
        if not small:
            break
        g = small[0]
        if g == 0:
            target = 1
        elif g == len(groups_n) - 1:
            target = g - 1
        else:
            target = g - 1 if groups_n[g - 1] <= groups_n[g + 1] else g + 1
        groups_n[target] += groups_n[g]
        groups_o[target] += groups_o[g]
        groups_e[target] += groups_e[g]
        del groups_n[g], groups_o[g], groups_e[g]
    return np.array(groups_n), np.array(groups_o), np.array(groups_e)


def s_x2(
    model: IrtModel,
    responses: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
    min_expected: float = 1.0,
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Orlando & Thissen's S-X² for each calibrated item: (statistic, df, p-value).

    ``responses`` are complete 0/1 data, columns in the order of ``model.item_ids``.
    """
    x = np.asarray(responses, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != model.n_items:
        raise PsychometricsError("bad_shape", "responses must have one column per calibrated item")
    if not np.all(np.isfinite(x)):
        raise PsychometricsError("missing_data", "S-X2 needs complete response data")
    w = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    n_items = model.n_items
    nodes = model.theta_nodes
    prior = model.quadrature.weights
    p = logistic(model.a[:, None] * (nodes[None, :] - model.b[:, None]))  # J x Q
    full = summed_score_likelihoods(p) @ prior  # P(S = s)
    loo = _leave_one_out(p)
    totals = x.sum(axis=1).astype(np.int64)
    count_by_score = np.bincount(totals, weights=w, minlength=n_items + 1)
    correct_by_score = np.stack(
        [np.bincount(totals, weights=w * x[:, j], minlength=n_items + 1) for j in range(n_items)]
    )
    n_params = 1 if model.kind == "rasch" else 2
    statistic = np.full(n_items, math.nan)
    df = np.zeros(n_items, dtype=np.int64)
    p_value = np.full(n_items, math.nan)
    scores = np.arange(1, n_items)
    for j in range(n_items):
        # E(correct on j | S = s) = sum_q P_j(q) f*_j(s - 1 | q) pi_q / sum_q f(s | q) pi_q
        numerator = (p[j][None, :] * loo[j, scores - 1, :]) @ prior
        with np.errstate(divide="ignore", invalid="ignore"):
            expected_p = np.where(full[scores] > 0, numerator / full[scores], 0.0)
        n_s = count_by_score[scores]
        keep = n_s > 0
        groups_n, groups_o, groups_e = _collapse(
            n_s[keep], correct_by_score[j, scores][keep], (n_s * expected_p)[keep], min_expected
        )
        if groups_n.size == 0:
            continue
        wrong_e = groups_n - groups_e
        wrong_o = groups_n - groups_o
        with np.errstate(divide="ignore", invalid="ignore"):
            cells = np.where(groups_e > 0, (groups_o - groups_e) ** 2 / groups_e, 0.0) + np.where(
                wrong_e > 0, (wrong_o - wrong_e) ** 2 / wrong_e, 0.0
            )
        statistic[j] = float(cells.sum())
        df[j] = int(groups_n.size) - n_params
        if df[j] > 0:
            p_value[j] = float(stats.chi2.sf(statistic[j], df[j]))
    return statistic, df, p_value


def mean_squares(
    model: IrtModel,
    responses: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
    abilities: AbilityEstimates | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Infit and outfit mean squares per item (Wright & Masters 1982), persons at their WLE."""
    x = np.asarray(responses, dtype=np.float64)
    mask = np.isfinite(x)
    w = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    estimates = abilities if abilities is not None else estimate_abilities(model, x)
    usable = (estimates.extreme == 0) & np.isfinite(estimates.wle)
    theta = np.where(usable, estimates.wle, 0.0)
    p = logistic(model.a[None, :] * (theta[:, None] - model.b[None, :]))
    variance = p * (1.0 - p)
    residual2 = np.where(mask, (np.where(mask, x, 0.0) - p) ** 2, 0.0)
    weight = (usable * w)[:, None] * mask
    with np.errstate(divide="ignore", invalid="ignore"):
        infit = (weight * residual2).sum(axis=0) / (weight * variance).sum(axis=0)
        outfit = (weight * residual2 / variance).sum(axis=0) / weight.sum(axis=0)
    return np.asarray(infit, dtype=np.float64), np.asarray(outfit, dtype=np.float64)


def item_fit(
    model: IrtModel,
    responses: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
    abilities: AbilityEstimates | None = None,
) -> ItemFit:
    """S-X² (when the data are complete) and infit/outfit for every calibrated item."""
    x = np.asarray(responses, dtype=np.float64)
    notes: list[str] = []
    if np.all(np.isfinite(x)):
        stat, df, p_value = s_x2(model, x, weights=weights)
    else:
        notes.append("S-X2 needs complete data; it is not computed for responses with gaps")
        stat = np.full(model.n_items, math.nan)
        df = np.zeros(model.n_items, dtype=np.int64)
        p_value = np.full(model.n_items, math.nan)
    infit, outfit = mean_squares(model, x, weights=weights, abilities=abilities)
    return ItemFit(
        item_ids=model.item_ids,
        s_x2=stat,
        s_x2_df=df,
        s_x2_p=p_value,
        infit=infit,
        outfit=outfit,
        notes=tuple(notes),
    )
