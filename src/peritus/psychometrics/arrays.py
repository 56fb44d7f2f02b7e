"""Array type aliases shared by the engine, and the one place NaN is turned into ``None``.

Inside the engine an undefined statistic (a correlation of a constant item, an alpha with one
item) is NaN, which is the natural NumPy value and propagates honestly. Nothing NaN ever leaves
the engine through a report: :func:`finite_or_none` is the gate every serialiser goes through.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
AnyIntArray = npt.NDArray[np.integer[Any]]


def finite_or_none(
    value: float | np.floating[Any] | None, digits: int | None = None
) -> float | None:
    """Return ``value`` as a plain float, or ``None`` when it is missing, NaN or infinite."""
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    return round(number, digits) if digits is not None else number


def finite_list(values: npt.ArrayLike, digits: int | None = None) -> list[float | None]:
    """Element-wise :func:`finite_or_none` for a one-dimensional array."""
    return [finite_or_none(v, digits) for v in np.asarray(values, dtype=np.float64).ravel()]
