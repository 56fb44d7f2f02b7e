"""Equating two forms, following Kolen & Brennan (2014), *Test Equating, Scaling, and Linking*
(3rd ed.). Chapter numbers below refer to that book.

Designs:

* **Random groups or single group** (ch. 2): linear (mean-sigma) and equipercentile equating
  of Form X scores to the Form Y scale.
* **Common-item non-equivalent groups** (NEAT; ch. 4-5): population 1 took Form X, population 2
  took Form Y, both took the common items V (internal: V's items are part of each form; or
  external). Linear methods: **Tucker** and **Levine observed score** (ch. 4, internal
  or external anchor), both through the synthetic population
  with weight ``w1`` on population 1 (default ``N1 / (N1 + N2)``). Curvilinear: **chained
  equipercentile** (ch. 5): X to V in population 1, then V to Y in population 2.

Equipercentile equating uses percentile ranks of discrete scores with the uniform
continuisation of ch. 2. A relative frequency of ``1e-6`` is added to
every score point before equating (the small adjustment Kolen & Brennan describe in ch. 2), so that
score points nobody obtained do not make the inverse ambiguous; it moves results by far less
than the rounding of a reported score. Variances divide by N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from peritus.psychometrics.arrays import FloatArray
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError

ZERO_FREQUENCY_ADJUSTMENT = 1e-6
AnchorKind = Literal["internal", "external"]


@dataclass(frozen=True)
class EquatingResult:
    """``equated[i]`` is the Form Y equivalent of Form X score ``scores[i]``."""

    method: str
    scores: FloatArray
    equated: FloatArray
    slope: float | None = None
    intercept: float | None = None
    details: dict[str, float] = field(default_factory=dict)

    def equate(self, x: npt.ArrayLike) -> FloatArray:
        """Equivalents of arbitrary X scores (linear methods exactly; others interpolated)."""
        values = np.asarray(x, dtype=np.float64)
        if self.slope is not None and self.intercept is not None:
            result: FloatArray = self.slope * values + self.intercept
            return result
        interpolated: FloatArray = np.interp(values, self.scores, self.equated)
        return interpolated


def _scores(values: npt.ArrayLike, name: str, maximum: int | None = None) -> FloatArray:
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size == 0:
        raise PsychometricsInputError("no_candidates", f"{name} has no scores")
    if not np.all(np.isfinite(array)):
        raise PsychometricsInputError("non_numeric", f"{name} has scores that are not numbers")
    if maximum is not None and (np.any(array < 0) or np.any(array > maximum)):
        raise PsychometricsInputError("score_out_of_range", f"{name} lies outside 0..{maximum}")
    return array


def _integer_scores(values: npt.ArrayLike, name: str, maximum: int) -> npt.NDArray[np.int64]:
    array = _scores(values, name, maximum)
    if np.any(array != np.round(array)):
        raise PsychometricsInputError("non_integer", f"{name} must hold whole-number scores")
    return array.astype(np.int64)


def relative_frequencies(scores: npt.ArrayLike, max_score: int) -> FloatArray:
    """Relative frequency of each score 0..max_score, with the zero-frequency adjustment."""
    x = _integer_scores(scores, "scores", max_score)
    counts = np.bincount(x, minlength=max_score + 1).astype(np.float64)
    freq = counts / counts.sum() + ZERO_FREQUENCY_ADJUSTMENT
    result: FloatArray = freq / freq.sum()
    return result


def percentile_rank(freq: FloatArray, x: npt.ArrayLike) -> FloatArray:
    """Percentile rank (0..100) of possibly non-integer scores ``x`` (ch. 2)."""
    values = np.clip(np.asarray(x, dtype=np.float64), -0.5, freq.size - 0.5)
    cumulative = np.concatenate(([0.0], np.cumsum(freq)))  # cumulative[s + 1] = F(s)
    nearest = np.clip(np.floor(values + 0.5), 0, freq.size - 1).astype(np.int64)
    below = cumulative[nearest]
    result: FloatArray = 100.0 * (below + (values - (nearest - 0.5)) * freq[nearest])
    return result


def percentile_point(freq: FloatArray, rank: npt.ArrayLike) -> FloatArray:
    """Inverse of :func:`percentile_rank` (the upper-rank form of ch. 2)."""
    p = np.clip(np.asarray(rank, dtype=np.float64) / 100.0, 0.0, 1.0)
    cumulative = np.cumsum(freq)
    upper = np.minimum(np.searchsorted(cumulative, p, side="right"), freq.size - 1)
    below = np.where(upper > 0, cumulative[np.maximum(upper - 1, 0)], 0.0)
    result: FloatArray = (p - below) / freq[upper] + (upper - 0.5)
    return np.clip(result, -0.5, freq.size - 0.5)


def equipercentile(
    x_scores: npt.ArrayLike, y_scores: npt.ArrayLike, *, max_x: int, max_y: int
) -> EquatingResult:
    """Random-groups equipercentile equating ``e_Y(x) = Q^-1(P(x))`` (ch. 2)."""
    fx = relative_frequencies(x_scores, max_x)
    fy = relative_frequencies(y_scores, max_y)
    points = np.arange(max_x + 1, dtype=np.float64)
    return EquatingResult(
        method="equipercentile",
        scores=points,
        equated=percentile_point(fy, percentile_rank(fx, points)),
    )


def linear(x_scores: npt.ArrayLike, y_scores: npt.ArrayLike, *, max_x: int) -> EquatingResult:
    """Random-groups linear equating ``l_Y(x) = sd_Y / sd_X (x - mu_X) + mu_Y`` (ch. 2)."""
    x = _scores(x_scores, "form X")
    y = _scores(y_scores, "form Y")
    sd_x, sd_y = float(x.std()), float(y.std())
    if sd_x == 0:
        raise PsychometricsError("constant_scores", "form X scores do not vary")
    slope = sd_y / sd_x
    intercept = float(y.mean()) - slope * float(x.mean())
    points = np.arange(max_x + 1, dtype=np.float64)
    return EquatingResult(
        method="linear",
        scores=points,
        equated=slope * points + intercept,
        slope=slope,
        intercept=intercept,
    )


@dataclass(frozen=True)
class _Neat:
    mu1x: float
    mu1v: float
    var1x: float
    var1v: float
    cov1xv: float
    mu2y: float
    mu2v: float
    var2y: float
    var2v: float
    cov2yv: float
    n1: int
    n2: int


def _neat(x: npt.ArrayLike, v1: npt.ArrayLike, y: npt.ArrayLike, v2: npt.ArrayLike) -> _Neat:
    fx, fv1 = _scores(x, "form X"), _scores(v1, "anchor in population 1")
    fy, fv2 = _scores(y, "form Y"), _scores(v2, "anchor in population 2")
    if fx.size != fv1.size or fy.size != fv2.size:
        raise PsychometricsInputError(
            "bad_shape", "each candidate needs both a form score and an anchor score"
        )
    return _Neat(
        mu1x=float(fx.mean()),
        mu1v=float(fv1.mean()),
        var1x=float(fx.var()),
        var1v=float(fv1.var()),
        cov1xv=float(np.mean((fx - fx.mean()) * (fv1 - fv1.mean()))),
        mu2y=float(fy.mean()),
        mu2v=float(fv2.mean()),
        var2y=float(fy.var()),
        var2v=float(fv2.var()),
        cov2yv=float(np.mean((fy - fy.mean()) * (fv2 - fv2.mean()))),
        n1=int(fx.size),
        n2=int(fy.size),
    )


def _synthetic_linear(
    m: _Neat, *, gamma1: float, gamma2: float, w1: float | None, max_x: int, method: str
) -> EquatingResult:
    weight1 = m.n1 / (m.n1 + m.n2) if w1 is None else float(w1)
    if not 0.0 <= weight1 <= 1.0:
        raise PsychometricsInputError("bad_weight", "w1 must lie between 0 and 1")
    weight2 = 1.0 - weight1
    d_mu = m.mu1v - m.mu2v
    d_var = m.var1v - m.var2v
    mu_sx = m.mu1x - weight2 * gamma1 * d_mu
    mu_sy = m.mu2y + weight1 * gamma2 * d_mu
    var_sx = m.var1x - weight2 * gamma1**2 * d_var + weight1 * weight2 * gamma1**2 * d_mu**2
    var_sy = m.var2y + weight1 * gamma2**2 * d_var + weight1 * weight2 * gamma2**2 * d_mu**2
    if not var_sx > 0 or not var_sy > 0:
        raise PsychometricsError(
            "synthetic_variance", "the synthetic population has no positive variance"
        )
    slope = math.sqrt(var_sy) / math.sqrt(var_sx)
    intercept = mu_sy - slope * mu_sx
    points = np.arange(max_x + 1, dtype=np.float64)
    return EquatingResult(
        method=method,
        scores=points,
        equated=slope * points + intercept,
        slope=slope,
        intercept=intercept,
        details={
            "w1": weight1,
            "gamma1": gamma1,
            "gamma2": gamma2,
            "synthetic_mean_x": mu_sx,
            "synthetic_mean_y": mu_sy,
            "synthetic_sd_x": math.sqrt(var_sx),
            "synthetic_sd_y": math.sqrt(var_sy),
        },
    )


def tucker(
    x: npt.ArrayLike,
    v1: npt.ArrayLike,
    y: npt.ArrayLike,
    v2: npt.ArrayLike,
    *,
    max_x: int,
    w1: float | None = None,
) -> EquatingResult:
    """Tucker linear equating through the synthetic population, ``gamma = cov(X, V) / var(V)``
    (Kolen & Brennan 2014, ch. 4)."""
    m = _neat(x, v1, y, v2)
    if not m.var1v > 0 or not m.var2v > 0:
        raise PsychometricsError("constant_anchor", "anchor scores do not vary")
    return _synthetic_linear(
        m,
        gamma1=m.cov1xv / m.var1v,
        gamma2=m.cov2yv / m.var2v,
        w1=w1,
        max_x=max_x,
        method="tucker",
    )


def levine_observed(
    x: npt.ArrayLike,
    v1: npt.ArrayLike,
    y: npt.ArrayLike,
    v2: npt.ArrayLike,
    *,
    max_x: int,
    w1: float | None = None,
    anchor: AnchorKind = "internal",
) -> EquatingResult:
    """Levine observed-score linear equating under classical congeneric assumptions.

    Internal anchor: ``gamma1 = var1(X) / cov1(X, V)``; external anchor:
    ``gamma1 = (var1(X) + cov1(X, V)) / (var1(V) + cov1(X, V))``; likewise for Y (Kolen &
    Brennan 2014, ch. 4).
    """
    m = _neat(x, v1, y, v2)
    if anchor == "internal":
        if m.cov1xv == 0 or m.cov2yv == 0:
            raise PsychometricsError("zero_covariance", "form and anchor scores are uncorrelated")
        gamma1 = m.var1x / m.cov1xv
        gamma2 = m.var2y / m.cov2yv
    elif anchor == "external":
        den1 = m.var1v + m.cov1xv
        den2 = m.var2v + m.cov2yv
        if den1 == 0 or den2 == 0:
            raise PsychometricsError("zero_covariance", "the anchor carries no information")
        gamma1 = (m.var1x + m.cov1xv) / den1
        gamma2 = (m.var2y + m.cov2yv) / den2
    else:
        raise PsychometricsInputError("bad_anchor", "anchor must be 'internal' or 'external'")
    return _synthetic_linear(
        m,
        gamma1=gamma1,
        gamma2=gamma2,
        w1=w1,
        max_x=max_x,
        method=f"levine-observed ({anchor} anchor)",
    )


def chained_equipercentile(
    x: npt.ArrayLike,
    v1: npt.ArrayLike,
    y: npt.ArrayLike,
    v2: npt.ArrayLike,
    *,
    max_x: int,
    max_y: int,
    max_v: int,
) -> EquatingResult:
    """Chained equipercentile equating (ch. 5): ``e_Y(x) = e_Y<-V,2(e_V<-X,1(x))``."""
    fx = relative_frequencies(x, max_x)
    fv1 = relative_frequencies(v1, max_v)
    fv2 = relative_frequencies(v2, max_v)
    fy = relative_frequencies(y, max_y)
    points = np.arange(max_x + 1, dtype=np.float64)
    on_anchor = percentile_point(fv1, percentile_rank(fx, points))
    equated = percentile_point(fy, percentile_rank(fv2, on_anchor))
    return EquatingResult(method="chained equipercentile", scores=points, equated=equated)
