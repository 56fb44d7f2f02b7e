"""Flags on items and the verdicts of a report, under thresholds the certification body sets.

Every flag has a stable ``code`` (for filtering and for the review record) and a sentence that
says what was seen and against which threshold. Verdicts summarise what a scheme committee
needs to decide on: reliability, items, decisions at the cut, model fit, fairness, security.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from peritus.psychometrics.classical import ClassicalAnalysis
from peritus.psychometrics.dif import MantelHaenszelDif
from peritus.psychometrics.errors import PsychometricsInputError
from peritus.psychometrics.scoring import ItemKind, ScoredResponses
from peritus.psychometrics.security import LZ_FLAG

if TYPE_CHECKING:
    from peritus.psychometrics.report import ExamAnalysis, IrtReport


@dataclass(frozen=True)
class FlagThresholds:
    """Thresholds a certification body sets for flagging items and stating verdicts.

    Given to the command as a JSON object (``--flags``) with any of these keys:

    * ``p_min`` / ``p_max``: flag items with a p-value below / above (too hard / too easy);
    * ``discrimination_min``: flag an item-rest correlation below it (low discrimination);
    * ``negative_discrimination``: flag an item-rest correlation below it (negative: check key);
    * ``distractor_rest_max``: flag a distractor whose option-rest correlation exceeds it (it
      attracts stronger candidates); a distractor chosen by more of the top 27 % than the key
      is flagged as a possible miskey regardless;
    * ``omit_rate_max``: flag items omitted by a larger share of candidates;
    * ``dif_categories``: ETS DIF categories that flag an item (``["C"]``, or ``["B", "C"]``);
    * ``item_fit_p_min``: flag IRT misfit when the S-X2 p-value is below it;
    * ``reliability_min``, ``decision_consistency_min``: targets for the summary verdicts;
    * ``person_fit_max``: candidates with lz* below it are listed for review;
    * ``similarity_alpha``: family-wise level of the answer-similarity screen;
    * ``sem_band_z``: half-width of the band around the cut, in SEMs.
    """

    p_min: float = 0.20
    p_max: float = 0.95
    discrimination_min: float = 0.15
    negative_discrimination: float = 0.0
    distractor_rest_max: float = 0.05
    omit_rate_max: float = 0.05
    dif_categories: tuple[str, ...] = ("C",)
    item_fit_p_min: float = 0.01
    reliability_min: float = 0.80
    decision_consistency_min: float = 0.85
    person_fit_max: float = LZ_FLAG
    similarity_alpha: float = 0.05
    sem_band_z: float = 1.0

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> FlagThresholds:
        """Build from a JSON object; unknown keys and wrong types are refused."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise PsychometricsInputError(
                "bad_flags", f"unknown threshold {unknown[0]!r}; known: {', '.join(known)}"
            )
        clean: dict[str, Any] = {}
        for name, value in values.items():
            if name == "dif_categories":
                if not isinstance(value, list) or not all(
                    isinstance(v, str) and v in ("A", "B", "C") for v in value
                ):
                    raise PsychometricsInputError(
                        "bad_flags", "dif_categories must be a list drawn from 'A', 'B', 'C'"
                    )
                clean[name] = tuple(value)
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise PsychometricsInputError("bad_flags", f"threshold {name!r} must be a number")
            if not math.isfinite(float(value)):
                raise PsychometricsInputError("bad_flags", f"threshold {name!r} must be finite")
            clean[name] = float(value)
        thresholds = cls(**clean)
        if not 0 <= thresholds.p_min < thresholds.p_max <= 1:
            raise PsychometricsInputError("bad_flags", "need 0 <= p_min < p_max <= 1")
        return thresholds

    def to_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["dif_categories"] = list(self.dif_categories)
        return values


@dataclass(frozen=True)
class Flag:
    code: str
    message: str


@dataclass(frozen=True)
class Verdict:
    topic: str
    status: Literal["ok", "attention", "problem", "not_available"]
    message: str


def _pct(value: float) -> str:
    return f"{100.0 * value:.0f}%"


def item_flags(
    j: int,
    *,
    responses: ScoredResponses,
    classical: ClassicalAnalysis,
    irt: IrtReport | None,
    dif: Sequence[MantelHaenszelDif],
    limits: FlagThresholds,
) -> list[Flag]:
    flags: list[Flag] = []
    p = float(classical.p_value[j])
    r = float(classical.item_rest_correlation[j])
    if p < limits.p_min:
        flags.append(Flag("p_too_low", f"p-value {p:.2f} is below {limits.p_min:.2f}: very hard"))
    if p > limits.p_max:
        flags.append(Flag("p_too_high", f"p-value {p:.2f} is above {limits.p_max:.2f}: very easy"))
    if not math.isfinite(r):
        flags.append(
            Flag(
                "no_discrimination",
                "the item does not discriminate: every candidate scored the same",
            )
        )
    elif r < limits.negative_discrimination:
        flags.append(
            Flag(
                "negative_discrimination",
                f"item-rest correlation {r:.2f} is negative: weaker candidates do better "
                "(check the key)",
            )
        )
    elif r < limits.discrimination_min:
        flags.append(
            Flag(
                "low_discrimination",
                f"item-rest correlation {r:.2f} is below {limits.discrimination_min:.2f}",
            )
        )
    alpha = classical.test.alpha
    deleted = float(classical.alpha_if_deleted[j])
    if math.isfinite(alpha) and math.isfinite(deleted) and deleted > alpha + 0.005:
        flags.append(
            Flag(
                "alpha_rises_without_item",
                f"alpha would rise from {alpha:.3f} to {deleted:.3f} without this item",
            )
        )
    n = classical.n_candidates
    if classical.n_omitted is not None and n > 0:
        omit_rate = float(classical.n_omitted[j]) / n
        if omit_rate > limits.omit_rate_max:
            flags.append(
                Flag(
                    "high_omit_rate",
                    f"{_pct(omit_rate)} of candidates omitted it (threshold "
                    f"{_pct(limits.omit_rate_max)})",
                )
            )
    options = classical.options
    keys = responses.keys
    if options is not None and keys is not None and keys[j].kind is not ItemKind.SCORED:
        key_slots = np.flatnonzero(options.is_key[j])
        key_upper = float(options.upper[j, key_slots].max()) if key_slots.size else math.nan
        for slot in range(len(options.labels) - 1):
            if slot >= options.n_options[j] or options.is_key[j, slot]:
                continue
            label = options.labels[slot]
            rest = float(options.rest_correlation[j, slot])
            upper = float(options.upper[j, slot])
            if math.isfinite(rest) and rest > limits.distractor_rest_max:
                flags.append(
                    Flag(
                        "distractor_attracts_strong",
                        f"distractor {label} is chosen more by stronger candidates "
                        f"(option-rest correlation {rest:.2f})",
                    )
                )
            if (
                keys[j].kind is ItemKind.SINGLE
                and math.isfinite(upper)
                and math.isfinite(key_upper)
                and upper > key_upper
            ):
                flags.append(
                    Flag(
                        "possible_miskey",
                        f"more of the top 27% chose {label} ({_pct(upper)}) than the key "
                        f"({_pct(key_upper)})",
                    )
                )
    item_id = responses.item_ids[j]
    for comparison in dif:
        if item_id not in comparison.item_ids:
            continue
        index = comparison.item_ids.index(item_id)
        category = comparison.category[index]
        if category and category[0] in limits.dif_categories:
            favoured = comparison.reference if category.endswith("-") else comparison.focal
            flags.append(
                Flag(
                    f"dif_{category[0].lower()}",
                    f"DIF category {category} between {comparison.reference} (reference) and "
                    f"{comparison.focal} (focal): MH D-DIF {comparison.d_dif[index]:.2f}, "
                    f"favours {favoured}",
                )
            )
    if irt is not None:
        model = irt.model
        if item_id in model.excluded_items:
            flags.append(
                Flag("irt_not_estimable", f"not calibrated: {model.excluded_items[item_id]}")
            )
        elif item_id in model.item_ids:
            index = model.item_ids.index(item_id)
            if item_id in model.unstable_items:
                flags.append(
                    Flag(
                        "irt_unstable",
                        "IRT estimates are unstable (extreme or negative slope or difficulty)",
                    )
                )
            p_fit = float(irt.fit.s_x2_p[index])
            if math.isfinite(p_fit) and p_fit < limits.item_fit_p_min:
                flags.append(
                    Flag(
                        "irt_misfit",
                        f"S-X2 = {irt.fit.s_x2[index]:.1f} (df {irt.fit.s_x2_df[index]}), "
                        f"p = {p_fit:.3g}: the model does not describe this item",
                    )
                )
    return flags


def verdicts(analysis: ExamAnalysis) -> list[Verdict]:
    limits = analysis.thresholds
    test = analysis.classical.test
    verdicts: list[Verdict] = []
    alpha = test.alpha
    if not math.isfinite(alpha):
        verdicts.append(
            Verdict(
                "reliability",
                "not_available",
                "Reliability cannot be estimated: " + "; ".join(test.notes or ("no variance",)),
            )
        )
    else:
        status: Literal["ok", "attention", "problem"] = (
            "ok"
            if alpha >= limits.reliability_min
            else "attention"
            if alpha >= limits.reliability_min - 0.10
            else "problem"
        )
        verdicts.append(
            Verdict(
                "reliability",
                status,
                f"Coefficient alpha is {alpha:.3f} (target {limits.reliability_min:.2f}); "
                f"the standard error of measurement is {test.sem:.2f} score points.",
            )
        )
    flagged = [
        (analysis.responses.item_ids[j], flags)
        for j, flags in enumerate(analysis.item_flags)
        if flags
    ]
    if flagged:
        reasons: dict[str, int] = {}
        for _, flags in flagged:
            for code in {flag.code for flag in flags}:
                reasons[code] = reasons.get(code, 0) + 1
        summary = ", ".join(
            f"{code.replace('_', ' ')} ({count})" for code, count in sorted(reasons.items())
        )
        serious = {"negative_discrimination", "possible_miskey", "dif_c", "no_discrimination"}
        status2: Literal["attention", "problem"] = (
            "problem" if serious & set(reasons) else "attention"
        )
        verdicts.append(
            Verdict(
                "items",
                status2,
                f"{len(flagged)} of {analysis.responses.n_items} items are flagged: {summary}.",
            )
        )
    else:
        verdicts.append(Verdict("items", "ok", "No item is flagged under the thresholds."))
    decision = analysis.decision
    if decision is not None:
        ll = decision.livingston_lewis
        band = decision.band
        band_text = (
            f" {band.n_within} candidates ({_pct(band.proportion_within)}) score within "
            f"±{band.z:g} SEM of the cut."
        )
        if ll is not None:
            status3: Literal["ok", "attention", "problem"] = (
                "ok"
                if ll.consistency >= limits.decision_consistency_min
                else "attention"
                if ll.consistency >= limits.decision_consistency_min - 0.10
                else "problem"
            )
            verdicts.append(
                Verdict(
                    "decisions",
                    status3,
                    f"At the cut {decision.cut:g}: decision consistency {ll.consistency:.3f} "
                    f"(kappa {ll.kappa:.3f}) and accuracy {ll.accuracy or 0.0:.3f} "
                    f"(Livingston-Lewis); {_pct(ll.observed_pass_rate)} pass." + band_text,
                )
            )
        else:
            verdicts.append(
                Verdict(
                    "decisions",
                    "not_available",
                    "Decision consistency is not available: "
                    + "; ".join(decision.notes)
                    + "."
                    + band_text,
                )
            )
    if analysis.irt is not None:
        model = analysis.irt.model
        fit_p = analysis.irt.fit.s_x2_p
        name = "Rasch" if model.kind == "rasch" else "2PL"
        misfits = int(np.sum(np.nan_to_num(fit_p, nan=1.0) < limits.item_fit_p_min))
        if not np.any(np.isfinite(fit_p)):
            fit_text = "item fit (S-X2) is not available: " + "; ".join(analysis.irt.fit.notes)
        elif misfits:
            fit_text = (
                f"{misfits} {'item misfits' if misfits == 1 else 'items misfit'} at p < "
                f"{limits.item_fit_p_min:g}"
            )
        else:
            fit_text = f"no item misfits at p < {limits.item_fit_p_min:g}"
        status4: Literal["ok", "attention"] = (
            "ok" if model.converged and not misfits and not model.unstable_items else "attention"
        )
        unstable = (
            f"; unstable estimates for {', '.join(model.unstable_items)}"
            if model.unstable_items
            else ""
        )
        verdicts.append(
            Verdict(
                "irt",
                status4,
                f"{name} calibration {'converged' if model.converged else 'did NOT converge'} "
                f"({model.iterations} iterations); {fit_text}{unstable}.",
            )
        )
    if analysis.dif:
        c_items = sorted(
            {
                item
                for comparison in analysis.dif
                for item, category in zip(comparison.item_ids, comparison.category, strict=True)
                if category.startswith("C")
            }
        )
        verdicts.append(
            Verdict(
                "fairness",
                "problem" if c_items else "ok",
                (f"{len(c_items)} items show large DIF (ETS category C): " + ", ".join(c_items))
                if c_items
                else "No item shows large DIF (ETS category C).",
            )
        )
    security_parts: list[str] = []
    attention = False
    if analysis.person_fit is not None:
        n_misfit = int(np.sum(np.nan_to_num(analysis.person_fit, nan=0.0) < limits.person_fit_max))
        security_parts.append(
            f"{n_misfit} candidates have aberrant response patterns (lz* < "
            f"{limits.person_fit_max:g})"
        )
    if analysis.similarity is not None:
        n_pairs = len(analysis.similarity.flagged)
        attention = attention or n_pairs > 0
        security_parts.append(
            f"{n_pairs} pairs of candidates have improbably similar answers "
            f"(of {analysis.similarity.n_pairs:,} pairs screened)"
        )
    if security_parts:
        verdicts.append(
            Verdict(
                "security",
                "attention" if attention else "ok",
                "; ".join(security_parts) + ". These are screening results, not findings.",
            )
        )
    return verdicts


# --------------------------------------------------------------------------------------------
