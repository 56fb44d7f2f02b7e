"""Distractor analysis: how often each option was chosen, by whom, and how it discriminates.

For every option of a keyed item (and for omitting it): the share of candidates choosing it,
overall, in each score group and in Kelley's (1939) upper and lower 27 % groups; the upper-minus-
lower discrimination; the mean total score of those choosing it; and the point-biserial between
choosing it and the rest score (total minus the item), which should be negative for a working
distractor (the rest score keeps the item's own key out of the criterion, as for the item-rest
correlation; Henrysson 1963). Everything
comes from the option counts per score level gathered in the single pass over the data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from peritus.psychometrics.arrays import FloatArray, IntArray
from peritus.psychometrics.score_levels import LevelTables
from peritus.psychometrics.scoring import LETTERS, ItemKey, ItemKind


@dataclass(frozen=True)
class OptionStatistics:
    """Distractor analysis: one row per item, one column per option (+ a final "omit" column).

    ``proportion``: share of all candidates choosing the option; ``by_group``: share of each
    score group choosing it (groups are ordered low to high); ``upper``/``lower``: share of the
    Kelley 27 % groups; ``discrimination``: ``upper - lower``; ``rest_correlation``: point-
    biserial between choosing the option and the rest score (total minus the item), which is
    negative for a working distractor; ``mean_total``: mean total score of those choosing it.
    Options an item does not have are NaN.
    """

    labels: tuple[str, ...]
    n_options: IntArray
    count: IntArray
    proportion: FloatArray
    by_group: FloatArray
    upper: FloatArray
    lower: FloatArray
    discrimination: FloatArray
    rest_correlation: FloatArray
    mean_total: FloatArray
    is_key: npt.NDArray[np.bool_]


def option_statistics(
    acc: LevelTables,
    *,
    keys: Sequence[ItemKey],
    counts: IntArray,
    rest_var_num: list[int],
    item_sums: npt.NDArray[np.int64],
    sum_t: int,
    bounds: list[tuple[int, int]],
    upper_w: FloatArray,
    lower_w: FloatArray,
) -> OptionStatistics:
    n_slots, _, k = acc.option_levels.shape
    n_bits = n_slots - 1
    n = int(counts.sum())
    levels = np.arange(counts.size, dtype=np.int64)
    labels = (*LETTERS[:n_bits], "omit")
    per_option = acc.option_levels.sum(axis=1)  # slots x items
    level_weighted = np.einsum("s,osj->oj", levels, acc.option_levels)  # sum of totals
    n_options = np.array([len(key.options) for key in keys], dtype=np.int64)
    valid = np.zeros((k, n_slots), dtype=np.bool_)
    is_key = np.zeros((k, n_slots), dtype=np.bool_)
    for j, key in enumerate(keys):
        if key.kind is ItemKind.SCORED:
            continue
        valid[j, : len(key.options)] = True
        valid[j, n_bits] = True
        for letter in key.correct:
            is_key[j, LETTERS.index(letter)] = True
    count = per_option.T.copy()
    proportion = count / n
    group_counts = np.array([counts[lo : hi + 1].sum() for lo, hi in bounds], dtype=np.float64)
    by_group = np.stack(
        [acc.option_levels[:, lo : hi + 1, :].sum(axis=1).T for lo, hi in bounds], axis=2
    ) / np.maximum(group_counts, 1.0)
    n_upper = float(upper_w @ counts)
    n_lower = float(lower_w @ counts)
    upper = np.einsum("s,osj->jo", upper_w, acc.option_levels) / n_upper
    lower = np.einsum("s,osj->jo", lower_w, acc.option_levels) / n_lower
    rest_corr = np.full((k, n_slots), math.nan)
    mean_total = np.full((k, n_slots), math.nan)
    for j in range(k):
        rest_sum = sum_t - int(item_sums[j])
        for o in range(n_slots):
            chosen = int(count[j, o])
            if not valid[j, o] or chosen == 0:
                continue
            mean_total[j, o] = float(level_weighted[o, j]) / chosen
            # sum over choosers of the rest score = their totals minus their scores on item j
            chooser_rest = int(level_weighted[o, j]) - int(acc.option_scores[o, j])
            cov = n * chooser_rest - chosen * rest_sum
            var_indicator = n * chosen - chosen * chosen
            if var_indicator > 0 and rest_var_num[j] > 0:
                rest_corr[j, o] = cov / (math.sqrt(var_indicator) * math.sqrt(rest_var_num[j]))
    invalid = ~valid
    for array in (proportion, upper, lower, mean_total, rest_corr):
        array[invalid] = math.nan
    by_group[invalid] = math.nan
    discrimination = upper - lower
    return OptionStatistics(
        labels=labels,
        n_options=n_options,
        count=np.where(valid, count, 0).astype(np.int64),
        proportion=proportion,
        by_group=by_group,
        upper=upper,
        lower=lower,
        discrimination=discrimination,
        rest_correlation=np.clip(rest_corr, -1.0, 1.0),
        mean_total=mean_total,
        is_key=is_key,
    )
