"""Key validation on one administration's data, before any result is released (R18).

Builds the psychometrics engine's response matrix from what the candidates answered (the real
option choices, so the distractor analysis can see a distractor outperforming the key), runs the
classical analysis with the body's flag thresholds, and returns, per item, the statistics and the
flags that call the key into question. Pure: no Django, no database.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from peritus.exams.delivery.responses import Response
from peritus.exams.delivery.scoring import raw_score
from peritus.itembank.qti.content import InteractionType, ItemContent, ScoringMethod
from peritus.psychometrics import (
    FlagThresholds,
    ItemKey,
    ItemKind,
    PsychometricsError,
    ScoredResponses,
    analyze_exam,
)
from peritus.psychometrics.scoring import (
    LETTERS,
    not_reached_mask,
    selection_dtype,
    smallest_int_dtype,
)

# The engine's flags that call an item's key into question (the others are for the periodic
# statistics review, 9.3.5).
KEY_FLAGS = frozenset(
    {
        "negative_discrimination",
        "low_discrimination",
        "possible_miskey",
        "distractor_attracts_strong",
        "p_too_low",
    }
)
MIN_CANDIDATES = 2  # below this no correlation exists; the review is by hand
PARTIAL_CREDIT_STEPS = 4  # partial-credit items enter the analysis in quarter points
SELECTED_KINDS = (
    InteractionType.SINGLE_CHOICE,
    InteractionType.TRUE_FALSE,
    InteractionType.INLINE_CHOICE,
    InteractionType.MULTIPLE_RESPONSE,
)


@dataclasses.dataclass(frozen=True)
class AnalysedItem:
    """One objective item of the form, as the analysis sees it."""

    entry_id: int
    label: str  # the item identifier
    content: ItemContent


@dataclasses.dataclass(frozen=True)
class OptionFigure:
    option_id: str
    is_key: bool
    proportion: float | None
    upper: float | None
    lower: float | None
    rest_correlation: float | None


@dataclasses.dataclass(frozen=True)
class ItemFinding:
    entry_id: int
    label: str
    p_value: float | None
    item_rest: float | None
    flags: tuple[tuple[str, str], ...]  # (code, sentence)
    options: tuple[OptionFigure, ...]

    @property
    def questions_key(self) -> bool:
        return any(code in KEY_FLAGS for code, _ in self.flags)


@dataclasses.dataclass(frozen=True)
class KeyAnalysis:
    n_candidates: int
    items: tuple[ItemFinding, ...]
    alpha: float | None
    notes: tuple[str, ...]

    @property
    def flagged(self) -> tuple[ItemFinding, ...]:
        return tuple(item for item in self.items if item.questions_key)


def _finite(value: Any) -> float | None:
    number = float(value)
    return round(number, 4) if math.isfinite(number) else None


def _uses_selections(content: ItemContent) -> bool:
    return (
        content.interaction in SELECTED_KINDS
        and content.scoring.method is ScoringMethod.MATCH_CORRECT
        and 2 <= len(content.options) <= len(LETTERS)
    )


def _key_of(item: AnalysedItem) -> ItemKey:
    content = item.content
    if _uses_selections(content):
        ids = content.option_ids()
        letters = tuple(LETTERS[: len(ids)])
        correct = frozenset(LETTERS[ids.index(value)] for value in content.key if value in ids)
        kind = (
            ItemKind.MULTIPLE
            if content.interaction is InteractionType.MULTIPLE_RESPONSE
            else ItemKind.SINGLE
        )
        return ItemKey(item.label, kind, correct=correct, options=letters)
    steps = 1 if content.scoring.method is ScoringMethod.MATCH_CORRECT else PARTIAL_CREDIT_STEPS
    return ItemKey(item.label, ItemKind.SCORED, max_score=steps)


def analyse_keys(
    items: Sequence[AnalysedItem],
    responses: Mapping[str, Mapping[int, Response]],
    *,
    thresholds: FlagThresholds | None = None,
) -> KeyAnalysis:
    """Analyse the objective items over the candidates' responses (candidate id → entry → response)."""
    candidates = sorted(responses)
    n, k = len(candidates), len(items)
    if k == 0 or n < MIN_CANDIDATES:
        note = (
            "no objective item to analyse"
            if k == 0
            else f"{n} candidate(s): too few for item statistics; review the keys by hand"
        )
        return KeyAnalysis(
            n,
            tuple(ItemFinding(i.entry_id, i.label, None, None, (), ()) for i in items),
            None,
            (note,),
        )
    keys = [_key_of(item) for item in items]
    scores = np.zeros((n, k), dtype=np.int64)
    selections = np.zeros((n, k), dtype=np.int64)
    omitted = np.zeros((n, k), dtype=np.bool_)
    for row, candidate in enumerate(candidates):
        answered = responses[candidate]
        for column, item in enumerate(items):
            response = answered.get(item.entry_id, ())
            content = item.content
            if not response:
                omitted[row, column] = True
                continue
            key = keys[column]
            if key.kind is ItemKind.SCORED:
                fraction = raw_score(content, response) / max(content.max_score, 1e-9)
                scores[row, column] = round(fraction * key.max_score)
                continue
            ids = content.option_ids()
            mask = 0
            for value in response:
                if value in ids:
                    mask |= 1 << ids.index(value)
            selections[row, column] = mask
            scores[row, column] = 1 if raw_score(content, response) >= content.max_score else 0
    max_scores = np.array([key.max_score for key in keys], dtype=np.int64)
    widest = max((len(key.options) for key in keys), default=1) or 1
    matrix = ScoredResponses(
        candidate_ids=tuple(candidates),
        item_ids=tuple(item.label for item in items),
        scores=scores.astype(smallest_int_dtype(int(max_scores.max()))),
        max_scores=max_scores,
        omitted=omitted,
        not_reached=not_reached_mask(omitted),
        keys=tuple(keys),
        selections=selections.astype(selection_dtype(widest)),
        options=tuple(key.options for key in keys),
    )
    try:
        analysis = analyze_exam(
            matrix, thresholds=thresholds, security=False, title="Key validation"
        )
    except PsychometricsError as error:
        return KeyAnalysis(
            n, tuple(ItemFinding(i.entry_id, i.label, None, None, (), ()) for i in items), None,
            (f"the analysis could not run: {error}",),
        )  # fmt: skip
    classical = analysis.classical
    findings = []
    for column, item in enumerate(items):
        options: list[OptionFigure] = []
        stats = classical.options
        if stats is not None and keys[column].kind is not ItemKind.SCORED:
            for slot, option_id in enumerate(item.content.option_ids()):
                options.append(
                    OptionFigure(
                        option_id=option_id,
                        is_key=bool(stats.is_key[column, slot]),
                        proportion=_finite(stats.proportion[column, slot]),
                        upper=_finite(stats.upper[column, slot]),
                        lower=_finite(stats.lower[column, slot]),
                        rest_correlation=_finite(stats.rest_correlation[column, slot]),
                    )
                )
        findings.append(
            ItemFinding(
                entry_id=item.entry_id,
                label=item.label,
                p_value=_finite(classical.p_value[column]),
                item_rest=_finite(classical.item_rest_correlation[column]),
                flags=tuple((flag.code, flag.message) for flag in analysis.item_flags[column]),
                options=tuple(options),
            )
        )
    return KeyAnalysis(
        n_candidates=n,
        items=tuple(findings),
        alpha=_finite(classical.test.alpha),
        notes=tuple(analysis.notes) + tuple(classical.test.notes),
    )
