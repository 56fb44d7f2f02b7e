"""The figures of a report: score distribution, test information, and per item the item
characteristic curve against observed proportions and the option trace lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from peritus.psychometrics.arrays import FloatArray
from peritus.psychometrics.irt import logistic
from peritus.psychometrics.plots import Drawing, item_curves, score_distribution, test_information
from peritus.psychometrics.scoring import ItemKind

if TYPE_CHECKING:
    from peritus.psychometrics.report import ExamAnalysis


def figures(analysis: ExamAnalysis) -> dict[str, Drawing]:
    classical = analysis.classical
    responses = analysis.responses
    figures: dict[str, Drawing] = {
        "score_distribution": score_distribution(
            classical.score_levels,
            classical.score_counts,
            cut=analysis.decision.cut if analysis.decision is not None else None,
            max_score=classical.test.max_score,
        )
    }
    irt = analysis.irt
    theta_groups: list[npt.NDArray[np.intp]] = []
    theta_means: FloatArray | None = None
    if irt is not None:
        model = irt.model
        grid = np.linspace(-4.0, 4.0, 161) * model.theta_sd
        figures["test_information"] = test_information(
            grid, model.test_information(grid), model=model.kind
        )
        # Groups by WLE, not EAP: EAP shrinks towards the mean, which would bend the observed
        # points away from a correct curve (Warm's estimate is nearly unbiased).
        order = np.argsort(irt.abilities.wle, kind="stable")
        theta_groups = [chunk for chunk in np.array_split(order, 10) if chunk.size]
        theta_means = np.array([irt.abilities.wle[g].mean() for g in theta_groups])
    options = classical.options
    group_x = np.arange(1, len(classical.group_bounds) + 1, dtype=np.float64)
    group_mid = np.array(
        [
            (classical.score_levels[lo : hi + 1] * classical.score_counts[lo : hi + 1]).sum()
            / max(int(classical.score_counts[lo : hi + 1].sum()), 1)
            for lo, hi in classical.group_bounds
        ],
        dtype=np.float64,
    )
    for j, item_id in enumerate(responses.item_ids):
        model_theta = model_p = None
        if irt is not None and item_id in irt.model.item_ids and theta_means is not None:
            index = irt.model.item_ids.index(item_id)
            model_theta = np.linspace(-4.0, 4.0, 121) * irt.model.theta_sd
            model_p = logistic(irt.model.a[index] * (model_theta - irt.model.b[index]))
            column = irt.responses[:, index]
            empirical_p = np.array(
                [
                    float(np.nanmean(column[g])) if np.isfinite(column[g]).any() else np.nan
                    for g in theta_groups
                ]
            )
            empirical_n = np.array([float(np.isfinite(column[g]).sum()) for g in theta_groups])
            empirical_x = theta_means
            x_label = "Trait (WLE, decile means)"
        else:
            empirical_x = group_mid
            empirical_p = classical.group_item_means[:, j] / responses.max_scores[j]
            empirical_n = classical.group_counts.astype(np.float64)
            x_label = "Total score (group mean)"
        labels: list[str] = []
        option_p: FloatArray | None = None
        keys = responses.keys
        key_labels: tuple[str, ...] = ()
        if options is not None and keys is not None and keys[j].kind is not ItemKind.SCORED:
            n_opt = int(options.n_options[j])
            labels = [*options.labels[:n_opt], "omit"]
            slots = [*range(n_opt), len(options.labels) - 1]
            option_p = np.nan_to_num(options.by_group[j, slots, :], nan=0.0)
            key_labels = tuple(sorted(keys[j].correct))
        figures[f"item:{j}"] = item_curves(
            item_id,
            empirical_x=np.asarray(empirical_x, dtype=np.float64),
            empirical_p=np.nan_to_num(np.asarray(empirical_p, dtype=np.float64), nan=0.0),
            empirical_n=np.asarray(empirical_n, dtype=np.float64),
            x_label=x_label,
            model_theta=model_theta,
            model_p=model_p,
            option_labels=labels,
            option_x=group_x if option_p is not None else None,
            option_p=option_p,
            key_labels=key_labels,
        )
    return figures
