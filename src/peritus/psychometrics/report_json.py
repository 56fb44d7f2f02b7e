"""The JSON report: the contract of ``peritus psychometrics analyze --json``.

Keys required by the product contract: ``n_candidates``, ``n_items``, ``test`` {``mean``,
``sd``, ``sd_ddof``, ``kr20``, ``alpha``, ``sem``}, ``items`` [{``item_id``, ``p_value``,
``point_biserial``, ``item_rest_correlation``, ``irt`` {``a``, ``b``}}] and
``decision_consistency`` when a cut is given. Undefined values are ``null`` (with a note),
never NaN; numbers are rounded to 6 decimals.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np

from peritus.psychometrics.arrays import finite_list, finite_or_none
from peritus.psychometrics.decisions import DecisionConsistency
from peritus.psychometrics.scoring import ItemKind

if TYPE_CHECKING:
    from peritus.psychometrics.report import ExamAnalysis

SCHEMA = "peritus.psychometrics.report/1"
DIGITS = 6


def _f(value: float | np.floating[Any] | None) -> float | None:
    return finite_or_none(value, DIGITS)


def _decision_dict(result: DecisionConsistency) -> dict[str, Any]:
    out: dict[str, Any] = {
        "method": result.method,
        "reliability": _f(result.reliability),
        "consistency": _f(result.consistency),
        "kappa": _f(result.kappa),
        "chance_consistency": _f(result.chance_consistency),
        "observed_pass_rate": _f(result.observed_pass_rate),
        "notes": list(result.notes),
    }
    if result.accuracy is not None:
        out["accuracy"] = _f(result.accuracy)
        out["false_pass"] = _f(result.false_pass)
        out["false_fail"] = _f(result.false_fail)
        out["effective_test_length"] = result.effective_test_length
    if result.true_scores is not None:
        ts = result.true_scores
        out["true_score_beta"] = {
            "alpha": _f(ts.alpha),
            "beta": _f(ts.beta),
            "lower": _f(ts.lower),
            "upper": _f(ts.upper),
            "parameters": ts.parameters,
        }
    return out


def report_dict(analysis: ExamAnalysis) -> dict[str, Any]:
    responses = analysis.responses
    classical = analysis.classical
    test = classical.test
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "title": analysis.title,
        "source": analysis.source,
        "n_candidates": test.n_candidates,
        "n_items": test.n_items,
        "test": {
            "max_score": test.max_score,
            "mean": _f(test.mean),
            "sd": _f(test.sd),
            "sd_ddof": _f(test.sd_ddof),
            "variance": _f(test.variance),
            "min": test.minimum,
            "max": test.maximum,
            "median": _f(test.median),
            "kr20": _f(test.kr20),
            "kr21": _f(test.kr21),
            "alpha": _f(test.alpha),
            "sem": _f(test.sem),
            "mean_p_value": _f(test.mean_p_value),
            "mean_item_rest_correlation": _f(test.mean_item_rest),
            "notes": list(test.notes),
            "definitions": {
                "sd": "population standard deviation (divides by N)",
                "sd_ddof": "sample standard deviation (divides by N - 1)",
                "sem": "sd_ddof * sqrt(1 - alpha)",
                "point_biserial": "correlation with the total score including the item",
                "item_rest_correlation": "correlation with the total score excluding the item",
            },
        },
    }
    items: list[dict[str, Any]] = []
    options = classical.options
    irt = analysis.irt
    for j, item_id in enumerate(responses.item_ids):
        key = responses.keys[j] if responses.keys is not None else None
        entry: dict[str, Any] = {
            "item_id": item_id,
            "kind": key.kind.value
            if key is not None
            else ("dichotomous" if responses.max_scores[j] == 1 else "scored"),
            "key": key.key_label if key is not None and key.kind is not ItemKind.SCORED else None,
            "max_score": int(responses.max_scores[j]),
            "p_value": _f(classical.p_value[j]),
            "mean": _f(classical.mean[j]),
            "sd": _f(classical.sd[j]),
            "point_biserial": _f(classical.point_biserial[j]),
            "biserial": _f(classical.biserial[j]),
            "item_rest_correlation": _f(classical.item_rest_correlation[j]),
            "alpha_if_deleted": _f(classical.alpha_if_deleted[j]),
            "discrimination_index": _f(classical.discrimination_index[j]),
            "upper_p": _f(classical.upper_p[j]),
            "lower_p": _f(classical.lower_p[j]),
            "n_omitted": int(classical.n_omitted[j]) if classical.n_omitted is not None else 0,
            "n_not_reached": (
                int(classical.n_not_reached[j]) if classical.n_not_reached is not None else 0
            ),
            "score_group_means": finite_list(classical.group_item_means[:, j], DIGITS),
            "flags": [asdict(flag) for flag in analysis.item_flags[j]],
            "notes": list(classical.item_notes[j]) if classical.item_notes else [],
        }
        if options is not None and key is not None and key.kind is not ItemKind.SCORED:
            rows = []
            for slot, label in enumerate(options.labels):
                if slot < len(options.labels) - 1 and slot >= options.n_options[j]:
                    continue
                rows.append(
                    {
                        "option": label,
                        "is_key": bool(options.is_key[j, slot]),
                        "count": int(options.count[j, slot]),
                        "proportion": _f(options.proportion[j, slot]),
                        "upper": _f(options.upper[j, slot]),
                        "lower": _f(options.lower[j, slot]),
                        "discrimination": _f(options.discrimination[j, slot]),
                        "rest_correlation": _f(options.rest_correlation[j, slot]),
                        "mean_total": _f(options.mean_total[j, slot]),
                        "by_group": finite_list(options.by_group[j, slot], DIGITS),
                    }
                )
            entry["options"] = rows
        if irt is not None:
            model = irt.model
            if item_id in model.item_ids:
                index = model.item_ids.index(item_id)
                entry["irt"] = {
                    "a": _f(model.a[index]),
                    "b": _f(model.b[index]),
                    "se_a": _f(model.se_a[index]),
                    "se_b": _f(model.se_b[index]),
                    "s_x2": _f(irt.fit.s_x2[index]),
                    "s_x2_df": int(irt.fit.s_x2_df[index]),
                    "s_x2_p": _f(irt.fit.s_x2_p[index]),
                    "infit": _f(irt.fit.infit[index]),
                    "outfit": _f(irt.fit.outfit[index]),
                }
            else:
                entry["irt"] = {
                    "a": None,
                    "b": None,
                    "excluded": model.excluded_items.get(
                        item_id, "partial-credit item: not calibrated"
                    ),
                }
        items.append(entry)
    report["items"] = items
    cumulative = np.cumsum(classical.score_counts)
    report["score_distribution"] = [
        {
            "score": int(score),
            "count": int(count),
            "cumulative_percent": _f(100.0 * cumulative[score] / test.n_candidates),
            "csem": _f(classical.csem[score]),
        }
        for score, count in enumerate(classical.score_counts)
    ]
    report["score_groups"] = [
        {"lowest": lo, "highest": hi, "n": int(n)}
        for (lo, hi), n in zip(classical.group_bounds, classical.group_counts, strict=True)
    ]
    if analysis.decision is not None:
        decision = analysis.decision
        block: dict[str, Any] = {
            "cut": decision.cut,
            "available": decision.livingston_lewis is not None,
            "notes": list(decision.notes),
        }
        if decision.livingston_lewis is not None:
            block.update(_decision_dict(decision.livingston_lewis))
        if decision.subkoviak is not None:
            block["subkoviak"] = _decision_dict(decision.subkoviak)
        band = decision.band
        block["sem_band"] = {
            "z": band.z,
            "sem": _f(band.sem),
            "csem_at_cut": _f(band.csem),
            "lower": _f(band.lower),
            "upper": _f(band.upper),
            "n_within": band.n_within,
            "proportion_within": _f(band.proportion_within),
        }
        report["decision_consistency"] = block
    if irt is not None:
        model = irt.model
        grid = np.linspace(-4.0, 4.0, 81) * model.theta_sd
        info = model.test_information(grid)
        report["irt"] = {
            "model": model.kind,
            "metric": "logistic (no 1.702 scaling constant)",
            "estimation": "marginal maximum likelihood, EM (Bock & Aitkin 1981) + Newton",
            "quadrature": f"{model.quadrature.kind}, {model.quadrature.nodes.size} points",
            "converged": model.converged,
            "iterations": model.iterations,
            "log_likelihood": _f(model.log_likelihood),
            "aic": _f(model.aic()),
            "bic": _f(model.bic()),
            "theta_sd": _f(model.theta_sd),
            "theta_sd_se": _f(model.theta_sd_se),
            "n_calibrated_items": model.n_items,
            "excluded_items": dict(model.excluded_items),
            "unstable_items": list(model.unstable_items),
            "notes": list(model.notes) + list(irt.fit.notes),
            "test_information": [
                {
                    "theta": _f(t),
                    "information": _f(i),
                    "se": _f(1.0 / math.sqrt(i)) if i > 0 else None,
                }
                for t, i in zip(grid, info, strict=True)
            ],
        }
    if analysis.dif:
        report["dif"] = [
            {
                "method": "Mantel-Haenszel (ETS A/B/C)",
                "reference": comparison.reference,
                "focal": comparison.focal,
                "n_reference": comparison.n_reference,
                "n_focal": comparison.n_focal,
                "matching": comparison.matching,
                "items": comparison.records(),
            }
            for comparison in analysis.dif
        ]
    security: dict[str, Any] = {}
    limits = analysis.thresholds
    if analysis.person_fit is not None and irt is not None:
        values = analysis.person_fit
        order = np.argsort(np.nan_to_num(values, nan=np.inf))
        flagged = [
            {"candidate_id": responses.candidate_ids[i], "lz_star": _f(values[i])}
            for i in order
            if math.isfinite(values[i]) and values[i] < limits.person_fit_max
        ]
        security["person_fit"] = {
            "statistic": "lz* (Snijders 2001) at the WLE",
            "threshold": limits.person_fit_max,
            "n_flagged": len(flagged),
            "flagged": flagged,
        }
    if analysis.similarity is not None:
        screen = analysis.similarity

        def pair(p: Any) -> dict[str, Any]:
            return {
                "candidate_a": responses.candidate_ids[p.first],
                "candidate_b": responses.candidate_ids[p.second],
                "identical": p.identical,
                "identical_incorrect": p.identical_incorrect,
                "expected": _f(p.expected),
                "z": _f(p.z),
                "p_value": _f(p.p_value) if p.p_value > 0 else 0.0,
            }

        security["similarity"] = {
            "method": screen.method,
            "n_pairs": screen.n_pairs,
            "alpha": screen.alpha,
            "pair_threshold": screen.threshold,
            "n_flagged": len(screen.flagged),
            "flagged": [pair(p) for p in screen.flagged],
            "most_similar": [pair(p) for p in screen.most_similar[:10]],
        }
    if security:
        report["security"] = security
    report["flags"] = {
        "thresholds": limits.to_dict(),
        "n_items_flagged": sum(1 for flags in analysis.item_flags if flags),
    }
    report["verdicts"] = [asdict(verdict) for verdict in analysis.verdicts]
    report["notes"] = list(analysis.notes)
    return report


# --------------------------------------------------------------------------------------------
