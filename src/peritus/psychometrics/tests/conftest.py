"""Shared data sets for the psychometrics tests.

LSAT6 is section 6 of the Law School Admission Test: 1,000 candidates, 5 items, published as a
table of response patterns and their frequencies by Bock & Lieberman (1970) and used as the
worked example of Bock & Aitkin (1981). The frequencies below are those printed by R's ltm
package (``ltm(LSAT ~ z1)``, column "Obs"), which distributes the data set as ``LSAT`` (and mirt
as ``LSAT6``); the two patterns not listed (01010 and 01100) have frequency 0.
"""

from __future__ import annotations

import numpy as np
import pytest

from peritus.psychometrics.arrays import FloatArray

LSAT6_PATTERNS: tuple[tuple[str, int], ...] = (
    ("00000", 3), ("00001", 6), ("00010", 2), ("00011", 11), ("00100", 1), ("00101", 1),
    ("00110", 3), ("00111", 4), ("01000", 1), ("01001", 8), ("01011", 16), ("01101", 3),
    ("01110", 2), ("01111", 15), ("10000", 10), ("10001", 29), ("10010", 14), ("10011", 81),
    ("10100", 3), ("10101", 28), ("10110", 15), ("10111", 80), ("11000", 16), ("11001", 56),
    ("11010", 21), ("11011", 173), ("11100", 11), ("11101", 61), ("11110", 28), ("11111", 298),
)  # fmt: skip


def lsat6_patterns() -> tuple[FloatArray, FloatArray]:
    """(patterns, frequencies): 30 distinct 0/1 patterns over 5 items and how often each occurs."""
    patterns = np.array([[int(c) for c in p] for p, _ in LSAT6_PATTERNS], dtype=np.float64)
    weights = np.array([f for _, f in LSAT6_PATTERNS], dtype=np.float64)
    return patterns, weights


def lsat6_expanded() -> np.ndarray[tuple[int, int], np.dtype[np.int8]]:
    """The 1,000 x 5 response matrix, one row per candidate."""
    patterns, weights = lsat6_patterns()
    return np.repeat(patterns, weights.astype(np.int64), axis=0).astype(np.int8)


@pytest.fixture
def lsat6() -> tuple[FloatArray, FloatArray]:
    return lsat6_patterns()
