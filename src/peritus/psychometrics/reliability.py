"""Reliability and measurement-error formulas of classical test theory.

Each takes summary statistics and returns NaN where the formula is undefined (one item, no
variance), so callers can report ``null`` with a reason instead of a misleading number.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import stats

from peritus.psychometrics.arrays import FloatArray


def coefficient_alpha(item_variance_sum: float, total_variance: float, n_items: int) -> float:
    """Cronbach's (1951) coefficient alpha.

    ``alpha = k / (k - 1) * (1 - sum(var_j) / var_total)``; Cronbach, L. J. (1951). Coefficient
    alpha and the internal structure of tests. Psychometrika, 16, 297-334. Undefined (NaN) for a
    single item or a constant total score. For 0/1 items it equals KR-20.
    """
    if n_items < 2 or not total_variance > 0:
        return math.nan
    return n_items / (n_items - 1) * (1.0 - item_variance_sum / total_variance)


def kr20(p_values: FloatArray, total_variance: float) -> float:
    """Kuder-Richardson formula 20 for dichotomous items.

    ``KR-20 = k / (k - 1) * (1 - sum(p_j * q_j) / var_total)``; Kuder, G. F., & Richardson,
    M. W. (1937). The theory of the estimation of test reliability. Psychometrika, 2, 151-160.
    """
    k = int(p_values.size)
    return coefficient_alpha(float(np.sum(p_values * (1.0 - p_values))), total_variance, k)


def kr21(mean: float, total_variance: float, n_items: int) -> float:
    """Kuder-Richardson formula 21 (items assumed equally difficult; a lower bound to KR-20).

    ``KR-21 = k / (k - 1) * (1 - mean * (k - mean) / (k * var_total))``; Kuder & Richardson
    (1937).
    """
    if n_items < 2 or not total_variance > 0:
        return math.nan
    return n_items / (n_items - 1) * (1.0 - mean * (n_items - mean) / (n_items * total_variance))


def standard_error_of_measurement(sd: float, reliability: float) -> float:
    """Classical SEM, ``sd * sqrt(1 - reliability)`` (Lord & Novick 1968, ch. 3).

    A negative reliability estimate is used as is (the SEM then exceeds the SD), so that a poor
    test is not made to look better than it is; NaN when the reliability is undefined.
    """
    if not math.isfinite(sd) or not math.isfinite(reliability):
        return math.nan
    return sd * math.sqrt(max(1.0 - reliability, 0.0))


def binomial_csem(score: npt.ArrayLike, n_items: int) -> FloatArray:
    """Lord's (1957) binomial-error conditional SEM for a number-correct score ``x`` on ``k`` items.

    ``CSEM(x) = sqrt(x * (k - x) / (k - 1))``; Lord, F. M. (1957). Do tests of the same length
    have the same standard errors of measurement? Educational and Psychological Measurement,
    17, 510-521.
    """
    x = np.asarray(score, dtype=np.float64)
    if n_items < 2:
        return np.full(x.shape, math.nan)
    result: FloatArray = np.sqrt(np.clip(x * (n_items - x), 0.0, None) / (n_items - 1))
    return result


def biserial_from_point_biserial(point_biserial: FloatArray, p: FloatArray) -> FloatArray:
    """Biserial correlation from the point-biserial, ``r_pb * sqrt(p q) / phi(z_p)``.

    Lord, F. M., & Novick, M. R. (1968). Statistical theories of mental test scores, ch. 15;
    ``phi`` is the standard normal density at the ``p`` quantile. NaN for p in {0, 1}.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = (p > 0) & (p < 1)
        z = stats.norm.ppf(np.where(inside, p, 0.5))
        density = stats.norm.pdf(z)
        result = np.where(inside, point_biserial * np.sqrt(p * (1 - p)) / density, math.nan)
    return np.asarray(result, dtype=np.float64)
