"""One exam analysis, from scored responses to the report a psychometrician signs off.

:func:`analyze_exam` runs the classical analysis and, on request, the decision-consistency,
IRT, DIF and security analyses; it applies the body's flag thresholds and states the verdicts
that matter. :meth:`ExamAnalysis.to_dict` is the JSON report (the contract of the response-file
command; NaN never appears: undefined values are ``null`` with a note), and the HTML and PDF
renderers read that same dictionary, so the three outputs cannot disagree.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from peritus.psychometrics.ability import AbilityEstimates, estimate_abilities
from peritus.psychometrics.arrays import FloatArray, finite_list, finite_or_none
from peritus.psychometrics.classical import ClassicalAnalysis, analyze_responses
from peritus.psychometrics.decisions import (
    DecisionConsistency,
    SemBand,
    livingston_lewis,
    sem_band,
    subkoviak,
)
from peritus.psychometrics.dif import MantelHaenszelDif, mantel_haenszel
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError
from peritus.psychometrics.irt import IrtModel, calibrate, logistic
from peritus.psychometrics.irt_fit import ItemFit, item_fit
from peritus.psychometrics.plots import Drawing, item_curves, score_distribution, test_information
from peritus.psychometrics.scoring import ItemKind, ScoredResponses
from peritus.psychometrics.security import LZ_FLAG, SimilarityScreen, answer_similarity, lz_star

SCHEMA = "peritus.psychometrics.report/1"
DIGITS = 6
SIMILARITY_MAX_CANDIDATES = 5000
ModelChoice = Literal["none", "rasch", "2pl"]
NotReached = Literal["incorrect", "missing"]


@dataclass(frozen=True)
class FlagThresholds:
    """Thresholds a certification body sets for flagging items and stating verdicts.

    Proportions are 0..1; correlations are item-rest (or option-rest) correlations.
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


@dataclass(frozen=True)
class DecisionReport:
    cut: float
    livingston_lewis: DecisionConsistency | None
    subkoviak: DecisionConsistency | None
    band: SemBand
    notes: tuple[str, ...]


@dataclass(frozen=True)
class IrtReport:
    model: IrtModel
    fit: ItemFit
    abilities: AbilityEstimates
    responses: FloatArray  # calibrated items only, NaN where not presented


@dataclass(frozen=True)
class ExamAnalysis:
    title: str
    source: str
    responses: ScoredResponses
    classical: ClassicalAnalysis
    thresholds: FlagThresholds
    item_flags: tuple[tuple[Flag, ...], ...]
    verdicts: tuple[Verdict, ...]
    decision: DecisionReport | None = None
    irt: IrtReport | None = None
    dif: tuple[MantelHaenszelDif, ...] = ()
    person_fit: FloatArray | None = None
    similarity: SimilarityScreen | None = None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return _report_dict(self)

    def to_json(self) -> str:
        """The JSON report; ``allow_nan=False`` makes a stray NaN a bug, not a file."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False, ensure_ascii=False) + "\n"

    def figures(self) -> dict[str, Drawing]:
        return _figures(self)


# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------


def analyze_exam(
    responses: ScoredResponses,
    *,
    model: ModelChoice = "none",
    cut: float | None = None,
    groups: Mapping[str, str] | None = None,
    reference_group: str | None = None,
    thresholds: FlagThresholds | None = None,
    not_reached: NotReached = "incorrect",
    security: bool = True,
    title: str = "Item analysis",
    source: str = "",
) -> ExamAnalysis:
    """Analyse one exam form's responses and apply the flag thresholds.

    ``groups`` maps candidate ids to a group label for DIF; the reference group is
    ``reference_group`` or the largest group, and every other group is a focal group.
    ``not_reached`` decides whether IRT calibration scores not-reached items as incorrect (as
    the classical analysis always does) or leaves them out as not presented.
    """
    limits = thresholds or FlagThresholds()
    notes: list[str] = []
    classical = analyze_responses(responses)
    decision = _decision(classical, responses, cut, limits) if cut is not None else None

    irt: IrtReport | None = None
    if model != "none":
        irt = _irt(responses, model, not_reached, notes)

    dif: list[MantelHaenszelDif] = []
    if groups is not None:
        dif = _dif(responses, groups, reference_group, notes)

    person_fit: FloatArray | None = None
    similarity: SimilarityScreen | None = None
    if security:
        if irt is not None:
            person_fit = lz_star(irt.model, irt.responses, irt.abilities.wle, estimator="wle")
        if responses.n_candidates > SIMILARITY_MAX_CANDIDATES:
            notes.append(
                f"answer similarity screening skipped: more than {SIMILARITY_MAX_CANDIDATES} "
                "candidates (use peritus.psychometrics.security.answer_similarity directly)"
            )
        elif responses.n_candidates >= 3:
            codes = responses.selections if responses.selections is not None else responses.scores
            similarity = answer_similarity(
                codes,
                classical.totals,
                correct=(responses.scores == responses.max_scores[None, :]).astype(np.int8),
                omitted=responses.omitted,
                alpha=limits.similarity_alpha,
            )
    flags = tuple(
        tuple(
            _item_flags(
                j,
                responses=responses,
                classical=classical,
                irt=irt,
                dif=dif,
                limits=limits,
            )
        )
        for j in range(responses.n_items)
    )
    analysis = ExamAnalysis(
        title=title,
        source=source,
        responses=responses,
        classical=classical,
        thresholds=limits,
        item_flags=flags,
        verdicts=(),
        decision=decision,
        irt=irt,
        dif=tuple(dif),
        person_fit=person_fit,
        similarity=similarity,
        notes=tuple(notes),
    )
    return ExamAnalysis(
        **{f.name: getattr(analysis, f.name) for f in fields(ExamAnalysis) if f.name != "verdicts"},
        verdicts=tuple(_verdicts(analysis)),
    )


def _decision(
    classical: ClassicalAnalysis,
    responses: ScoredResponses,
    cut: float,
    limits: FlagThresholds,
) -> DecisionReport:
    max_score = classical.test.max_score
    if not math.isfinite(cut) or not 0 < cut <= max_score:
        raise PsychometricsInputError(
            "cut_out_of_range", f"the cut must be above 0 and at most the maximum score {max_score}"
        )
    totals = classical.totals.astype(np.float64)
    reliability = classical.test.alpha
    notes: list[str] = []
    ll: DecisionConsistency | None = None
    sk: DecisionConsistency | None = None
    if math.isfinite(reliability) and 0 < reliability < 1:
        try:
            ll = livingston_lewis(
                totals, cut=cut, reliability=reliability, max_score=float(max_score)
            )
        except PsychometricsError as exc:
            notes.append(f"Livingston-Lewis not available: {exc.message}")
    else:
        notes.append(
            "Livingston-Lewis needs a reliability strictly between 0 and 1; "
            "decision accuracy is not available"
        )
    if responses.is_dichotomous and math.isfinite(reliability):
        sk = subkoviak(totals, cut=cut, reliability=reliability, n_items=responses.n_items)
    band = sem_band(
        totals,
        cut=cut,
        sem=classical.test.sem,
        n_items=responses.n_items if responses.is_dichotomous else None,
        z=limits.sem_band_z,
    )
    return DecisionReport(
        cut=float(cut), livingston_lewis=ll, subkoviak=sk, band=band, notes=tuple(notes)
    )


def _irt(
    responses: ScoredResponses, model: ModelChoice, not_reached: NotReached, notes: list[str]
) -> IrtReport:
    dichotomous = responses.max_scores == 1
    if not dichotomous.any():
        raise PsychometricsError("no_dichotomous_items", "Rasch and 2PL calibration need 0/1 items")
    if not dichotomous.all():
        skipped = [i for i, d in zip(responses.item_ids, dichotomous, strict=True) if not d]
        notes.append(
            "partial-credit items are not calibrated by the Rasch/2PL models: " + ", ".join(skipped)
        )
    columns = np.flatnonzero(dichotomous)
    data = responses.scores[:, columns].astype(np.float64)
    if not_reached == "missing":
        data[responses.not_reached[:, columns]] = np.nan
    item_ids = tuple(responses.item_ids[j] for j in columns)
    fitted = calibrate(data, model="rasch" if model == "rasch" else "2pl", item_ids=item_ids)
    keep = [item_ids.index(item) for item in fitted.item_ids]
    calibrated = data[:, keep]
    fit = item_fit(fitted, calibrated)
    abilities = estimate_abilities(fitted, calibrated)
    return IrtReport(model=fitted, fit=fit, abilities=abilities, responses=calibrated)


def _dif(
    responses: ScoredResponses,
    groups: Mapping[str, str],
    reference_group: str | None,
    notes: list[str],
) -> list[MantelHaenszelDif]:
    labels = [groups.get(candidate) for candidate in responses.candidate_ids]
    present = [label for label in labels if label is not None]
    if not present:
        raise PsychometricsInputError("no_groups", "no candidate of the responses has a group")
    counts: dict[str, int] = {}
    for label in present:
        counts[label] = counts.get(label, 0) + 1
    if len(counts) < 2:
        raise PsychometricsInputError("one_group", "DIF needs at least two groups")
    reference = reference_group or max(counts, key=lambda g: (counts[g], g))
    if reference not in counts:
        raise PsychometricsInputError(
            "unknown_group", f"the reference group {reference!r} has no candidates"
        )
    dichotomous = responses.max_scores == 1
    if not dichotomous.all():
        notes.append("DIF is computed for 0/1 items only; partial-credit items are skipped")
    columns = np.flatnonzero(dichotomous)
    data = responses.scores[:, columns]
    item_ids = tuple(responses.item_ids[j] for j in columns)
    results = []
    for focal in sorted(counts):
        if focal == reference:
            continue
        results.append(
            mantel_haenszel(data, labels, reference=reference, focal=focal, item_ids=item_ids)
        )
    return results


# --------------------------------------------------------------------------------------------
# Flags and verdicts
# --------------------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{100.0 * value:.0f}%"


def _item_flags(
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


def _verdicts(analysis: ExamAnalysis) -> list[Verdict]:
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
        misfit = int(
            np.sum(np.nan_to_num(analysis.irt.fit.s_x2_p, nan=1.0) < limits.item_fit_p_min)
        )
        status4: Literal["ok", "attention"] = (
            "ok" if model.converged and not misfit and not model.unstable_items else "attention"
        )
        verdicts.append(
            Verdict(
                "irt",
                status4,
                f"{model.kind.upper() if model.kind == '2pl' else 'Rasch'} calibration "
                f"{'converged' if model.converged else 'did NOT converge'} "
                f"({model.iterations} iterations); {misfit} items misfit at p < "
                f"{limits.item_fit_p_min:g}.",
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
            f"(of {analysis.similarity.n_pairs} pairs screened)"
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
# JSON
# --------------------------------------------------------------------------------------------


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


def _report_dict(analysis: ExamAnalysis) -> dict[str, Any]:
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
# Figures
# --------------------------------------------------------------------------------------------


def _figures(analysis: ExamAnalysis) -> dict[str, Drawing]:
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
        order = np.argsort(irt.abilities.eap, kind="stable")
        theta_groups = [chunk for chunk in np.array_split(order, 10) if chunk.size]
        theta_means = np.array([irt.abilities.eap[g].mean() for g in theta_groups])
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
            x_label = "Trait (EAP, decile means)"
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
