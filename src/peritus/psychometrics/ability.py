"""Person (trait) estimates under a calibrated Rasch or 2PL model.

* **EAP** — posterior mean and SD over the quadrature, with the calibration population as the
  prior (Bock & Mislevy 1982). Always finite.
* **MLE** — root of ``sum_j a_j (x_j - P_j(theta)) = 0`` (Lord 1980, ch. 4). Undefined for
  all-correct and all-incorrect patterns (reported as NaN with ``extreme`` set).
* **WLE** — Warm's (1989) weighted likelihood estimate, the root of
  ``sum_j a_j (x_j - P_j) + J(theta) / (2 I(theta)) = 0`` with ``I = sum a^2 P Q`` and
  ``J = sum a^3 P Q (1 - 2P)``. It removes the first-order bias of the MLE and is finite for
  extreme patterns.

Standard errors of MLE and WLE are ``1 / sqrt(I(theta_hat))``.

Roots are found for all candidates at once by Newton-Raphson safeguarded with bisection on a
bracket, so a flat or wiggly score function never sends an estimate to infinity.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from peritus.psychometrics.arrays import BoolArray, FloatArray, IntArray
from peritus.psychometrics.errors import PsychometricsInputError
from peritus.psychometrics.irt import IrtModel, logistic, rectangular

THETA_BRACKET = 30.0


@dataclass(frozen=True)
class AbilityEstimates:
    """Per-candidate estimates on the model's reporting metric; ``extreme`` is -1 for an
    all-incorrect pattern, +1 for all-correct, 0 otherwise (and 0 with NaN estimates when the
    candidate answered none of the calibrated items)."""

    eap: FloatArray
    eap_sd: FloatArray
    mle: FloatArray
    mle_se: FloatArray
    wle: FloatArray
    wle_se: FloatArray
    extreme: IntArray
    n_answered: IntArray


def align_responses(
    model: IrtModel,
    responses: npt.ArrayLike,
    item_ids: Sequence[str],
    observed: npt.ArrayLike | None = None,
) -> tuple[FloatArray, BoolArray]:
    """Columns of ``responses`` in the order of ``model.item_ids``, with the observed mask."""
    matrix = np.asarray(responses, dtype=np.float64)
    index = {item: j for j, item in enumerate(item_ids)}
    missing = [item for item in model.item_ids if item not in index]
    if missing:
        raise PsychometricsInputError(
            "unknown_item", f"item {missing[0]!r} of the model is not in the responses"
        )
    columns = [index[item] for item in model.item_ids]
    x = matrix[:, columns]
    mask = np.isfinite(x)
    if observed is not None:
        mask &= np.asarray(observed, dtype=np.bool_)[:, columns]
    return np.where(mask, x, 0.0), mask


def _information_terms(
    model: IrtModel, theta: FloatArray, mask: BoolArray, *, derivatives: bool = True
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """P, I(theta), J(theta) and J'(theta) for each row (Warm 1989's terms)."""
    eta = model.a[None, :] * (theta[:, None] - model.b[None, :])
    p = logistic(eta)
    # Q from its own logistic, not 1 - P: far out on the trait scale 1 - P rounds to zero while
    # Q is still representable, and the weighted score needs J / I there (Warm's correction).
    q = logistic(-eta)
    pq = p * q * mask
    a = model.a[None, :]
    info = (a**2 * pq).sum(axis=1)
    if not derivatives:
        empty = np.zeros(0)
        return p, info, empty, empty
    j_term = (a**3 * pq * (q - p)).sum(axis=1)
    j_prime = (a**4 * pq * (1.0 - 6.0 * p * q)).sum(axis=1)
    return p, info, j_term, j_prime


ScoreFunction = Callable[[FloatArray, IntArray], tuple[FloatArray, FloatArray]]


def _solve(
    function: ScoreFunction,
    active: BoolArray,
    start: FloatArray,
    iterations: int = 100,
) -> FloatArray:
    """Vectorised safeguarded Newton-Raphson for score functions that fall through zero.

    ``function(theta, rows)`` evaluates the rows given. Each row keeps a bracket with the
    function positive at its lower end and negative at its upper end; a Newton step that leaves
    the bracket (or goes uphill) is replaced by bisection. Rows drop out as they converge, so
    the work shrinks with every iteration.
    """
    result = np.full(start.size, math.nan)
    rows = np.flatnonzero(active)
    lo = np.full(rows.size, -THETA_BRACKET)
    hi = np.full(rows.size, THETA_BRACKET)
    f_lo, _ = function(lo, rows)
    f_hi, _ = function(hi, rows)
    bracketed = (f_lo > 0) & (f_hi < 0)
    rows, lo, hi = rows[bracketed], lo[bracketed], hi[bracketed]
    x = np.clip(np.where(np.isfinite(start[rows]), start[rows], 0.0), lo + 1e-6, hi - 1e-6)
    for _ in range(iterations):
        if rows.size == 0:
            break
        f, slope = function(x, rows)
        lo = np.where(f > 0, x, lo)
        hi = np.where(f <= 0, x, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - f / slope
        inside = (slope < 0) & (newton > lo) & (newton < hi) & np.isfinite(newton)
        new_x = np.where(inside, newton, 0.5 * (lo + hi))
        done = (np.abs(new_x - x) < 1e-10) | (hi - lo < 1e-10)
        result[rows[done]] = new_x[done]
        keep = ~done
        rows, x, lo, hi = rows[keep], new_x[keep], lo[keep], hi[keep]
    result[rows] = x  # rows still moving after the iteration limit keep their last value
    return result


def estimate_abilities(
    model: IrtModel,
    responses: npt.ArrayLike,
    *,
    item_ids: Sequence[str] | None = None,
    observed: npt.ArrayLike | None = None,
    eap_points: int = 81,
) -> AbilityEstimates:
    """EAP, MLE and WLE for each candidate (rows of ``responses``).

    ``item_ids`` names the columns of ``responses``; by default they are the model's items in
    order. Items the model excluded are ignored.
    """
    if item_ids is None:
        raw = np.asarray(responses, dtype=np.float64)
        if raw.ndim != 2 or raw.shape[1] != model.n_items:
            raise PsychometricsInputError(
                "bad_shape", "responses must have one column per calibrated item"
            )
        mask = np.isfinite(raw)
        if observed is not None:
            mask &= np.asarray(observed, dtype=np.bool_)
        x = np.where(mask, raw, 0.0)
    else:
        x, mask = align_responses(model, responses, item_ids, observed)
    n_answered = mask.sum(axis=1).astype(np.int64)
    n_correct = (x * mask).sum(axis=1)
    extreme = np.where(
        n_answered == 0, 0, np.where(n_correct == 0, -1, np.where(n_correct == n_answered, 1, 0))
    ).astype(np.int64)

    grid = rectangular(eap_points)
    nodes = grid.nodes * model.theta_sd
    eta = model.a[:, None] * (nodes[None, :] - model.b[:, None])
    log_p = -np.logaddexp(0.0, -eta)
    log_q = -np.logaddexp(0.0, eta)
    loglik = x @ (log_p - log_q) + mask.astype(np.float64) @ log_q + grid.log_weights[None, :]
    loglik -= loglik.max(axis=1, keepdims=True)
    post = np.exp(loglik)
    post /= post.sum(axis=1, keepdims=True)
    eap = post @ nodes
    eap_sd = np.sqrt(np.clip(post @ nodes**2 - eap**2, 0.0, None))

    def score(theta: FloatArray, rows: IntArray) -> tuple[FloatArray, FloatArray]:
        p, info, _, _ = _information_terms(model, theta, mask[rows], derivatives=False)
        return ((x[rows] - p) * mask[rows] * model.a[None, :]).sum(axis=1), -info

    def weighted_score(theta: FloatArray, rows: IntArray) -> tuple[FloatArray, FloatArray]:
        p, info, j_term, j_prime = _information_terms(model, theta, mask[rows])
        base = ((x[rows] - p) * mask[rows] * model.a[None, :]).sum(axis=1)
        safe = np.where(info > 0, info, 1.0)
        ratio = j_term / safe
        value = base + ratio / 2.0
        # (J' I - J^2) / (2 I^2) written with ratios: far out on the trait scale I is tiny and
        # I^2 underflows to zero, which made the slope 0/0 (NaN and a RuntimeWarning).
        slope = -info + (j_prime / safe - ratio**2) / 2.0
        return value, slope

    answered = n_answered > 0
    mle = _solve(score, answered & (extreme == 0), eap)
    wle = _solve(weighted_score, answered, eap)

    def standard_error(theta: FloatArray) -> FloatArray:
        finite = np.isfinite(theta)
        _, info, _, _ = _information_terms(
            model, np.where(finite, theta, 0.0), mask, derivatives=False
        )
        with np.errstate(divide="ignore"):
            se = 1.0 / np.sqrt(info)
        result: FloatArray = np.where(finite & (info > 0), se, math.nan)
        return result

    return AbilityEstimates(
        eap=eap,
        eap_sd=eap_sd,
        mle=mle,
        mle_se=standard_error(mle),
        wle=wle,
        wle_se=standard_error(wle),
        extreme=extreme,
        n_answered=n_answered,
    )
