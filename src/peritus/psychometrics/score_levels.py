"""The one pass over the response matrix that the classical analysis needs.

The matrix is read in blocks of rows and never copied as a whole. Each block is sorted by
total score, so that summing over the candidates at each score level is one ``reduceat`` over
contiguous rows; the sums are exact integers (float32 block sums stay below 2**24). What
survives the pass: every candidate's total, and per score level the item score sums, the
number of candidates, the sums of squares (partial credit) and, for keyed items, how many
candidates at the level chose each option.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from peritus.psychometrics.arrays import FloatArray, IntArray
from peritus.psychometrics.errors import PsychometricsInputError


@dataclass
class LevelTables:
    n_levels: int
    n_items: int
    n_bits: int
    level_sums: npt.NDArray[np.int64] = field(init=False)
    level_counts: npt.NDArray[np.int64] = field(init=False)
    squares: npt.NDArray[np.int64] = field(init=False)
    level_row_squares: npt.NDArray[np.int64] = field(init=False)
    option_levels: npt.NDArray[np.int64] = field(init=False)
    option_scores: npt.NDArray[np.int64] = field(init=False)

    def __post_init__(self) -> None:
        self.level_sums = np.zeros((self.n_levels, self.n_items), dtype=np.int64)
        self.level_counts = np.zeros(self.n_levels, dtype=np.int64)
        self.squares = np.zeros(self.n_items, dtype=np.int64)
        self.level_row_squares = np.zeros(self.n_levels, dtype=np.int64)
        # Option bits 0..n_bits-1 and a last slot for omitted responses.
        self.option_levels = np.zeros(
            (self.n_bits + 1, self.n_levels, self.n_items) if self.n_bits else (0, 0, 0),
            dtype=np.int64,
        )
        self.option_scores = np.zeros(
            (self.n_bits + 1, self.n_items) if self.n_bits else (0, 0), dtype=np.int64
        )


def _integer_block(block: npt.NDArray[Any], start: int) -> npt.NDArray[np.integer[Any]]:
    if np.issubdtype(block.dtype, np.integer):
        return block
    if block.dtype == np.bool_:
        return block.view(np.int8) if block.itemsize == 1 else block.astype(np.int8)
    if np.issubdtype(block.dtype, np.floating):
        if not np.all(np.isfinite(block)) or np.any(block != np.floor(block)):
            bad = np.argwhere(~np.isfinite(block) | (block != np.floor(block)))[0]
            raise PsychometricsInputError(
                "non_integer",
                f"score at candidate {start + int(bad[0]) + 1}, item {int(bad[1]) + 1} "
                "is not a whole number",
            )
        return block.astype(np.int32)
    raise PsychometricsInputError("non_numeric", "scores must be numbers")


def scan(
    scores: npt.NDArray[Any],
    max_scores: IntArray,
    selections: npt.NDArray[np.unsignedinteger[Any]] | None,
    n_bits: int,
    chunk_rows: int,
) -> tuple[LevelTables, npt.NDArray[np.integer[Any]]]:
    n, k = scores.shape
    max_total = int(max_scores.sum())
    total_dtype = np.int16 if max_total <= np.iinfo(np.int16).max else np.int32
    totals: npt.NDArray[np.integer[Any]] = np.empty(n, dtype=total_dtype)
    acc = LevelTables(n_levels=max_total + 1, n_items=k, n_bits=n_bits)
    dichotomous = bool(np.all(max_scores == 1))
    for start in range(0, n, chunk_rows):
        block = _integer_block(scores[start : start + chunk_rows], start)
        low = block.min()
        if low < 0:
            where = np.argwhere(block < 0)[0]
            raise PsychometricsInputError(
                "score_out_of_range",
                f"negative score at candidate {start + int(where[0]) + 1}, "
                f"item {int(where[1]) + 1}",
            )
        high = block.max(axis=0)
        if np.any(high > max_scores):
            j = int(np.flatnonzero(high > max_scores)[0])
            raise PsychometricsInputError(
                "score_out_of_range",
                f"item {j + 1} has a score above its maximum {int(max_scores[j])}",
            )
        block_totals: npt.NDArray[np.integer[Any]] = block.sum(axis=1, dtype=total_dtype)
        totals[start : start + block.shape[0]] = block_totals
        # Sorting the block by total turns "sum per score level" into contiguous slices, so one
        # reduceat gives the block's share of the score-level table without any float copy.
        order = np.argsort(block_totals, kind="stable")
        sorted_totals = block_totals[order]
        starts = np.flatnonzero(np.r_[True, sorted_totals[1:] != sorted_totals[:-1]])
        levels = sorted_totals[starts].astype(np.intp)
        sorted_block = block[order]
        # float32 sums are exact here: a block holds at most 2**24 / max score rows.
        acc.level_sums[levels] += np.rint(
            np.add.reduceat(sorted_block.astype(np.float32), starts, axis=0)
        ).astype(np.int64)
        acc.level_counts[levels] += np.diff(np.r_[starts, block.shape[0]])
        if not dichotomous:
            squared = block.astype(np.int64) ** 2
            acc.squares += squared.sum(axis=0)
            acc.level_row_squares += np.bincount(
                block_totals, weights=squared.sum(axis=1), minlength=max_total + 1
            ).astype(np.int64)
        if selections is not None:
            sel_block = selections[start : start + chunk_rows][order]
            for bit in range(n_bits + 1):
                chosen = (sel_block == 0) if bit == n_bits else ((sel_block >> bit) & 1) == 1
                as_int = chosen.view(np.int8)
                acc.option_levels[bit][levels] += np.rint(
                    np.add.reduceat(as_int.astype(np.float32), starts, axis=0)
                ).astype(np.int64)
                acc.option_scores[bit] += np.einsum(
                    "ij,ij->j", as_int, sorted_block, dtype=np.int64
                )
    if dichotomous:
        acc.squares = acc.level_sums.sum(axis=0)
        levels_all = np.arange(max_total + 1, dtype=np.int64)
        acc.level_row_squares = levels_all * acc.level_counts
    return acc, totals


def sums_by_level(
    scores: npt.NDArray[np.integer[Any]] | npt.NDArray[np.floating[Any]],
    levels: npt.NDArray[np.integer[Any]],
    n_levels: int,
) -> FloatArray:
    """Column sums of ``scores`` over the rows at each level (``n_levels`` x columns).

    A sort and one ``reduceat`` instead of a one-hot product: linear in the size of the data.
    """
    order = np.argsort(levels, kind="stable")
    sorted_levels = np.asarray(levels)[order]
    result = np.zeros((n_levels, scores.shape[1]))
    if sorted_levels.size == 0:
        return result
    starts = np.flatnonzero(np.r_[True, sorted_levels[1:] != sorted_levels[:-1]])
    result[sorted_levels[starts]] = np.add.reduceat(
        np.asarray(scores)[order].astype(np.float64), starts, axis=0
    )
    return result
