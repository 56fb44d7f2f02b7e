"""Turning what candidates did into item scores.

Three kinds of item are scored here:

* **single response** multiple choice: one keyed option, score 1 when it is selected alone;
* **multiple response**: several keyed options; scored all-or-nothing (the selected set must equal
  the keyed set) or with partial credit (keyed options selected minus other options selected,
  floored at zero, so the maximum is the number of keyed options);
* **scored** (polytomous) items: the cell already holds an integer score from 0 to the item's
  maximum, as for a rubric-marked task with partial credit.

Selections are stored as bit masks (bit *o* set when option *o* was chosen, 0 when nothing was
chosen), which lets single and multiple response items share one vectorised code path and keeps
a candidate's actual choices for distractor analysis.

An empty cell is an *omitted* response and scores 0. A run of omitted responses that reaches the
end of the form is also *not reached* (the candidate stopped before these items; Lord 1980,
ch. 15). Classical statistics score both as 0, as the response file contract requires; IRT
calibration may treat not-reached responses as not presented instead.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from peritus.psychometrics.arrays import BoolArray, IntArray
from peritus.psychometrics.errors import PsychometricsInputError

LETTERS = string.ascii_uppercase
MAX_OPTIONS = len(LETTERS)
SELECTION_SEPARATORS = (";", "|")

MultipleResponseScoring = Literal["all_or_nothing", "partial"]


class ItemKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCORED = "scored"


@dataclass(frozen=True, slots=True)
class ItemKey:
    """How one item is scored.

    ``options`` are the letters a candidate may choose (empty for scored items); ``correct`` are
    the keyed letters. ``max_score`` is 1 for single response and all-or-nothing multiple
    response items, the number of keyed options for partial-credit multiple response items, and
    the declared maximum for scored items.
    """

    item_id: str
    kind: ItemKind
    correct: frozenset[str] = frozenset()
    options: tuple[str, ...] = ()
    max_score: int = 1
    multiple_response_scoring: MultipleResponseScoring = "all_or_nothing"

    @property
    def key_mask(self) -> int:
        return selection_mask(self.correct)

    @property
    def key_label(self) -> str:
        if self.kind is ItemKind.SCORED:
            return f"scored 0-{self.max_score}"
        return ";".join(sorted(self.correct))


def selection_mask(letters: frozenset[str] | set[str]) -> int:
    """Bit mask of ``letters``: bit *o* stands for the *o*-th letter of the alphabet.

    Options are always the first letters of the alphabet (A, B, …), so the bit of a letter does
    not depend on how many options an item has.
    """
    mask = 0
    for letter in letters:
        mask |= 1 << LETTERS.index(letter)
    return mask


def options_up_to(last: str) -> tuple[str, ...]:
    """``("A", "B", …, last)``."""
    return tuple(LETTERS[: LETTERS.index(last) + 1])


def parse_selection(token: str, options: Sequence[str], *, multiple: bool) -> int:
    """Parse one non-empty response cell into a selection mask.

    Single response cells hold one letter. Multiple response cells hold letters, either run
    together (``AC``) or separated by ``;`` or ``|`` (``A;C``). Letters are case-insensitive.
    Raises ``ValueError`` with a reason when the cell is not a valid selection.
    """
    text = token.strip().upper()
    for separator in SELECTION_SEPARATORS:
        text = text.replace(separator, "")
    text = text.replace(" ", "")
    if not text:
        raise ValueError("empty selection")
    if not multiple and len(text) != 1:
        raise ValueError(f"{token!r} selects more than one option on a single-response item")
    mask = 0
    for letter in text:
        if letter not in options:
            allowed = "".join(options)
            raise ValueError(f"{token!r} is not one of the options {allowed}")
        bit = 1 << LETTERS.index(letter)
        if mask & bit:
            raise ValueError(f"{token!r} selects option {letter} twice")
        mask |= bit
    return mask


def popcount(values: npt.NDArray[np.integer[Any]]) -> IntArray:
    """Number of set bits, element-wise."""
    return np.bitwise_count(values).astype(np.int64)


def score_selections(
    selections: npt.NDArray[np.integer[Any]], key: ItemKey
) -> npt.NDArray[np.int64]:
    """Scores of one item from its selection masks (0 = omitted scores 0)."""
    if key.kind is ItemKind.SCORED:
        raise ValueError("scored items carry scores, not selections")
    sel = selections.astype(np.int64)
    key_mask = key.key_mask
    if key.kind is ItemKind.MULTIPLE and key.multiple_response_scoring == "partial":
        right = popcount(sel & key_mask)
        wrong = popcount(sel & ~key_mask)
        partial: npt.NDArray[np.int64] = np.maximum(right - wrong, 0)
        return partial
    exact: npt.NDArray[np.int64] = (sel == key_mask).astype(np.int64)
    return exact


def not_reached_mask(omitted: BoolArray) -> BoolArray:
    """Omitted responses that belong to the unbroken run of omissions at the end of a row."""
    if omitted.size == 0:
        return omitted.copy()
    trailing: BoolArray = np.logical_and.accumulate(omitted[:, ::-1], axis=1)[:, ::-1]
    return trailing


def smallest_int_dtype(max_value: int) -> np.dtype[Any]:
    """The narrowest signed integer type that holds 0…``max_value`` (int8 for 0/1 data)."""
    for dtype in (np.int8, np.int16, np.int32):
        if max_value <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


def selection_dtype(n_options: int) -> np.dtype[Any]:
    if n_options <= 8:
        return np.dtype(np.uint8)
    if n_options <= 16:
        return np.dtype(np.uint16)
    return np.dtype(np.uint32)


@dataclass(frozen=True)
class ScoredResponses:
    """A scored response matrix with everything the analyses need to know about its cells.

    ``scores`` is candidates x items in the narrowest integer type (int8 for 0/1 data).
    ``selections`` holds the option bit masks of keyed items (0 for omitted and for scored
    items); it is ``None`` when the input was already scored.
    """

    candidate_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    scores: npt.NDArray[np.integer[Any]]
    max_scores: IntArray
    omitted: BoolArray
    not_reached: BoolArray
    keys: tuple[ItemKey, ...] | None = None
    selections: npt.NDArray[np.unsignedinteger[Any]] | None = None
    options: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def n_candidates(self) -> int:
        return int(self.scores.shape[0])

    @property
    def n_items(self) -> int:
        return int(self.scores.shape[1])

    @property
    def is_dichotomous(self) -> bool:
        return bool(np.all(self.max_scores == 1))


def scored_from_matrix(
    scores: npt.ArrayLike,
    *,
    candidate_ids: Sequence[str] | None = None,
    item_ids: Sequence[str] | None = None,
    max_scores: npt.ArrayLike | None = None,
    omitted: npt.ArrayLike | None = None,
) -> ScoredResponses:
    """Wrap an already-scored integer matrix (library entry point for 0/1 or partial-credit data).

    ``max_scores`` defaults to the larger of 1 and each item's observed maximum. ``omitted``
    defaults to no omissions.
    """
    matrix = np.asarray(scores)
    if matrix.ndim != 2:
        raise PsychometricsInputError("not_a_matrix", "scores must be a two-dimensional array")
    n, k = matrix.shape
    if n == 0:
        raise PsychometricsInputError("no_candidates", "there are no candidates")
    if k == 0:
        raise PsychometricsInputError("no_items", "there are no items")
    if not np.issubdtype(matrix.dtype, np.integer):
        if not np.issubdtype(matrix.dtype, np.floating) and matrix.dtype != np.bool_:
            raise PsychometricsInputError("non_numeric", "scores must be numbers")
        if matrix.dtype != np.bool_ and (
            not np.all(np.isfinite(matrix)) or np.any(matrix != np.round(matrix))
        ):
            raise PsychometricsInputError("non_integer", "scores must be whole numbers")
    if matrix.size and matrix.min() < 0:
        raise PsychometricsInputError("score_out_of_range", "scores must not be negative")
    observed_max = matrix.max(axis=0).astype(np.int64)
    if max_scores is None:
        maxima = np.maximum(observed_max, 1)
    else:
        maxima = np.asarray(max_scores, dtype=np.int64).reshape(-1)
        if maxima.shape != (k,):
            raise PsychometricsInputError("bad_max_scores", f"max_scores must have {k} entries")
        if np.any(maxima < 1):
            raise PsychometricsInputError("bad_max_scores", "every max score must be at least 1")
        over = np.flatnonzero(observed_max > maxima)
        if over.size:
            raise PsychometricsInputError(
                "score_out_of_range",
                f"item {over[0] + 1} has a score above its maximum {maxima[over[0]]}",
            )
    dtype = smallest_int_dtype(int(maxima.max()))
    typed = matrix if matrix.dtype == dtype else matrix.astype(dtype)
    cand = (
        tuple(candidate_ids) if candidate_ids is not None else tuple(str(i + 1) for i in range(n))
    )
    items = tuple(item_ids) if item_ids is not None else tuple(f"item{j + 1}" for j in range(k))
    if len(cand) != n or len(items) != k:
        raise PsychometricsInputError(
            "bad_labels", "candidate and item labels must match the matrix shape"
        )
    omit = (
        np.zeros((n, k), dtype=np.bool_) if omitted is None else np.asarray(omitted, dtype=np.bool_)
    )
    if omit.shape != (n, k):
        raise PsychometricsInputError("bad_omitted", "omitted must have the shape of scores")
    return ScoredResponses(
        candidate_ids=cand,
        item_ids=items,
        scores=typed,
        max_scores=maxima,
        omitted=omit,
        not_reached=not_reached_mask(omit),
    )
