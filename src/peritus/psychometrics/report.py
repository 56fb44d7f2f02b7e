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
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np

from peritus.psychometrics.ability import AbilityEstimates, estimate_abilities
from peritus.psychometrics.arrays import FloatArray
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
from peritus.psychometrics.flags import Flag, FlagThresholds, Verdict, item_flags, verdicts
from peritus.psychometrics.irt import IrtModel, calibrate
from peritus.psychometrics.irt_fit import ItemFit, item_fit
from peritus.psychometrics.plots import Drawing
from peritus.psychometrics.report_figures import figures
from peritus.psychometrics.report_json import report_dict
from peritus.psychometrics.scoring import ScoredResponses
from peritus.psychometrics.security import SimilarityScreen, answer_similarity, lz_star

__all__ = [
    "DecisionReport",
    "ExamAnalysis",
    "Flag",
    "FlagThresholds",
    "IrtReport",
    "Verdict",
    "analyze_exam",
]

SIMILARITY_MAX_CANDIDATES = 5000
ModelChoice = Literal["none", "rasch", "2pl"]
NotReached = Literal["incorrect", "missing"]


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
        return report_dict(self)

    def to_json(self) -> str:
        """The JSON report; ``allow_nan=False`` makes a stray NaN a bug, not a file."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False, ensure_ascii=False) + "\n"

    def figures(self) -> dict[str, Drawing]:
        return figures(self)


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
            item_flags(
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
        verdicts=tuple(verdicts(analysis)),
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
    abilities = estimate_abilities(fitted, calibrated)
    fit = item_fit(fitted, calibrated, abilities=abilities)
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
