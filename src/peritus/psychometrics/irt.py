"""Item response theory: Rasch and two-parameter logistic models by marginal maximum likelihood.

Models, on the logistic metric (no 1.702 scaling constant anywhere):

* **2PL**: ``P(x = 1 | theta) = 1 / (1 + exp(-a (theta - b)))`` with ``theta ~ N(0, 1)``
  (Birnbaum 1968, in Lord & Novick 1968, ch. 17);
* **Rasch**: ``P(x = 1 | theta) = 1 / (1 + exp(-(theta - b)))`` with ``theta ~ N(0, sigma^2)``
  and ``sigma`` estimated (Rasch 1960; the marginal formulation of Thissen 1982). Internally this
  is the equivalent model with a common slope ``sigma`` on a standard normal trait; difficulties
  are reported on the logit scale, ``b = -intercept``.

Estimation (Bock & Aitkin 1981): the trait is integrated out over a fixed quadrature (Gauss-
Hermite, or a rectangular grid on [-6, 6] with normal weights); the EM algorithm alternates
posterior expected counts at the nodes (E-step) with a Newton-Raphson logistic fit per item
(M-step). Once EM is close, Newton-Raphson on the marginal log-likelihood itself, with the
analytic observed information, finishes the job quadratically; the same observed information
gives the standard errors. The observed information uses Louis's (1982) identity::

    -H = E[-complete Hessian | data] - sum_i Cov(complete score_i | data)

which is exact for the quadrature-approximated likelihood (no cross-product approximation).

Responses may be missing (an item not presented, a response not reached): the likelihood uses
only the observed cells. ``weights`` lets a table of response patterns with frequencies stand
for the full data (as in Bock & Lieberman's LSAT tables).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import special

from peritus.psychometrics.arrays import BoolArray, FloatArray
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError
from peritus.psychometrics.marginal_likelihood import (
    MAX_ABS_INTERCEPT,
    MAX_ABS_SLOPE,
    ModelKind,
    Quadrature,
    QuadratureKind,
    ResponseData,
    e_step,
    gauss_hermite,
    gradient_and_hessian,
    log_normal_slope_prior,
    logistic,
    m_step_2pl,
    m_step_rasch,
    newton_polish,
    rasch_map,
    rectangular,
)

__all__ = [
    "IrtModel",
    "ModelKind",
    "Quadrature",
    "QuadratureKind",
    "calibrate",
    "gauss_hermite",
    "logistic",
    "rectangular",
]


@dataclass(frozen=True)
class IrtModel:
    """A calibrated Rasch or 2PL model.

    ``a`` and ``b`` are on the reporting metric: the 2PL's standard normal trait, or the Rasch
    model's logit scale (``a = 1``; the trait has SD ``theta_sd``). ``se_*`` are standard errors
    from the observed information (NaN for a fixed parameter). ``covariance`` is the inverse
    observed information of the internal parameters: ``(slope_1..slope_J, intercept_1..J)`` for
    the 2PL and ``(sigma, intercept_1..J)`` for the Rasch model.
    """

    kind: ModelKind
    item_ids: tuple[str, ...]
    a: FloatArray
    b: FloatArray
    se_a: FloatArray
    se_b: FloatArray
    slope: FloatArray
    intercept: FloatArray
    theta_sd: float
    theta_sd_se: float
    log_likelihood: float
    n_candidates: float
    iterations: int
    converged: bool
    quadrature: Quadrature
    covariance: FloatArray
    excluded_items: dict[str, str] = field(default_factory=dict)
    unstable_items: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_parameters(self) -> int:
        return self.n_items + 1 if self.kind == "rasch" else 2 * self.n_items

    def probability(self, theta: npt.ArrayLike) -> FloatArray:
        """P(correct) for each theta (rows) and item (columns), on the reporting metric."""
        t = np.atleast_1d(np.asarray(theta, dtype=np.float64))
        return logistic(self.a[None, :] * (t[:, None] - self.b[None, :]))

    def item_information(self, theta: npt.ArrayLike) -> FloatArray:
        """Fisher information ``a^2 P (1 - P)`` of each item at each theta (Lord 1980, ch. 5)."""
        p = self.probability(theta)
        result: FloatArray = (self.a**2)[None, :] * p * (1.0 - p)
        return result

    def test_information(self, theta: npt.ArrayLike) -> FloatArray:
        """Sum of the item informations (Lord 1980, ch. 5)."""
        result: FloatArray = self.item_information(theta).sum(axis=1)
        return result

    def standard_error(self, theta: npt.ArrayLike) -> FloatArray:
        """``1 / sqrt(test information)``, the asymptotic SE of the ML trait estimate."""
        info = self.test_information(theta)
        with np.errstate(divide="ignore"):
            result: FloatArray = 1.0 / np.sqrt(info)
        return result

    @property
    def theta_nodes(self) -> FloatArray:
        """Quadrature nodes on the reporting metric."""
        result: FloatArray = self.quadrature.nodes * self.theta_sd
        return result

    def aic(self) -> float:
        return -2.0 * self.log_likelihood + 2.0 * self.n_parameters

    def bic(self) -> float:
        return -2.0 * self.log_likelihood + math.log(self.n_candidates) * self.n_parameters


def _prepare(
    responses: npt.ArrayLike, observed: npt.ArrayLike | None, weights: npt.ArrayLike | None
) -> tuple[FloatArray, BoolArray, FloatArray]:
    raw = np.asarray(responses)
    if raw.ndim != 2:
        raise PsychometricsInputError("not_a_matrix", "responses must be a two-dimensional array")
    values = raw.astype(np.float64)
    missing = ~np.isfinite(values)
    mask = ~missing if observed is None else np.asarray(observed, dtype=np.bool_) & ~missing
    if mask.shape != values.shape:
        raise PsychometricsInputError("bad_observed", "observed must have the shape of responses")
    cells = values[mask]
    if np.any((cells != 0) & (cells != 1)):
        raise PsychometricsInputError("not_dichotomous", "IRT calibration here needs 0/1 responses")
    x = np.where(mask, values, 0.0)
    w = (
        np.ones(values.shape[0])
        if weights is None
        else np.asarray(weights, dtype=np.float64).reshape(-1)
    )
    if w.shape != (values.shape[0],) or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise PsychometricsInputError(
            "bad_weights", "weights must be one non-negative number per row"
        )
    return x, mask, w


def calibrate(
    responses: npt.ArrayLike,
    *,
    model: ModelKind = "2pl",
    item_ids: tuple[str, ...] | list[str] | None = None,
    observed: npt.ArrayLike | None = None,
    weights: npt.ArrayLike | None = None,
    quadrature: Quadrature | None = None,
    slope_prior_sd: float | None = None,
    max_iterations: int = 2000,
    tolerance: float = 1e-6,
    em_tolerance: float = 1e-3,
) -> IrtModel:
    """Calibrate a Rasch or 2PL model by marginal maximum likelihood (Bock & Aitkin 1981).

    ``responses``: candidates x items, 0/1, NaN (or ``observed = False``) where not presented.
    ``weights``: frequency of each row (pattern tables). ``slope_prior_sd`` turns the 2PL into a
    marginal Bayes modal fit with ``log a ~ N(0, sd^2)`` (Mislevy 1986), which keeps small
    calibrations stable; by default estimates are pure maximum likelihood.

    Items that every candidate answered the same way carry no information about their
    parameters; they are left out and listed in ``excluded_items``.
    """
    if model not in ("rasch", "2pl"):
        raise PsychometricsInputError("bad_model", "model must be 'rasch' or '2pl'")
    x_all, mask_all, w_all = _prepare(responses, observed, weights)
    j_all = x_all.shape[1]
    ids = tuple(item_ids) if item_ids is not None else tuple(f"item{j + 1}" for j in range(j_all))
    if len(ids) != j_all:
        raise PsychometricsInputError("bad_labels", "item_ids must have one entry per item")
    presented = (mask_all * w_all[:, None]).sum(axis=0)
    correct = (x_all * w_all[:, None]).sum(axis=0)
    excluded: dict[str, str] = {}
    keep: list[int] = []
    for j in range(j_all):
        if presented[j] <= 0:
            excluded[ids[j]] = "no responses"
        elif correct[j] <= 0:
            excluded[ids[j]] = "no candidate answered correctly"
        elif correct[j] >= presented[j]:
            excluded[ids[j]] = "every candidate answered correctly"
        else:
            keep.append(j)
    if not keep:
        raise PsychometricsError(
            "nothing_to_calibrate", "no item has both correct and incorrect responses"
        )
    rows = (mask_all[:, keep].any(axis=1)) & (w_all > 0)
    if float(w_all[rows].sum()) < 2:
        raise PsychometricsError(
            "too_few_candidates", "IRT calibration needs at least 2 candidates"
        )
    x = x_all[np.ix_(rows, keep)]
    mask = mask_all[np.ix_(rows, keep)]
    data = ResponseData(
        x=x,
        observed=None if bool(mask.all()) else mask.astype(np.float64),
        weights=w_all[rows],
    )
    quad = quadrature if quadrature is not None else rectangular()
    z = quad.nodes
    n_items = len(keep)
    p_obs = np.clip(correct[keep] / presented[keep], 1e-3, 1 - 1e-3)
    # Start from the logits of the p-values, stretched for the spread a N(0, 1) trait adds
    # (E[expit(z + d)] ~ expit(d / sqrt(1 + pi/8))); EM does the rest.
    intercept = special.logit(p_obs) * math.sqrt(1.0 + math.pi / 8.0)
    slope = np.ones(n_items)
    sigma = 1.0

    iterations = 0
    converged = False
    last_ll = -math.inf
    e = e_step(data, slope, intercept, quad)
    use_newton = slope_prior_sd is None
    final_hessian: FloatArray | None = None
    notes: list[str] = []
    while iterations < max_iterations:
        iterations += 1
        if model == "rasch":
            new_sigma, new_intercept = m_step_rasch(e, sigma, intercept, z)
            change = max(abs(new_sigma - sigma), float(np.abs(new_intercept - intercept).max()))
            sigma, intercept = new_sigma, new_intercept
            slope = np.full(n_items, sigma)
        else:
            new_slope, new_intercept = m_step_2pl(
                e, slope, intercept, z, slope_prior_sd=slope_prior_sd
            )
            change = max(
                float(np.abs(new_slope - slope).max()),
                float(np.abs(new_intercept - intercept).max()),
            )
            slope, intercept = new_slope, new_intercept
        e = e_step(data, slope, intercept, quad)
        ll_change = e.log_likelihood - last_ll
        last_ll = e.log_likelihood
        if change < tolerance or (change < 10 * tolerance and abs(ll_change) < 1e-10):
            converged = True
            break
        if use_newton and change < em_tolerance:
            polished = newton_polish(
                data, e, slope, intercept, quad, model=model, tolerance=tolerance
            )
            if polished is not None:
                slope, intercept, e, steps, final_hessian = polished
                iterations += steps
                sigma = float(slope[0])
                converged = True
                break
            use_newton = False
    if not converged:
        notes.append(f"not converged after {iterations} iterations")

    if final_hessian is None:
        _, final_hessian = gradient_and_hessian(data, e, slope, intercept, quad)
    hessian = final_hessian.copy()
    if slope_prior_sd is not None and model == "2pl":
        _, h_prior = log_normal_slope_prior(slope, slope_prior_sd)
        hessian[np.arange(n_items), np.arange(n_items)] += h_prior
    if model == "rasch":
        t = rasch_map(n_items)
        hessian = t.T @ hessian @ t
    covariance = _invert_information(-hessian)
    if not np.all(np.isfinite(covariance)):
        notes.append("the information matrix is singular: standard errors are not available")

    if model == "rasch":
        a = np.ones(n_items)
        b = -intercept
        se_a = np.full(n_items, math.nan)
        se_b = np.sqrt(np.clip(np.diag(covariance)[1:], 0.0, None))
        theta_sd = sigma
        theta_sd_se = math.sqrt(max(float(covariance[0, 0]), 0.0))
    else:
        a = slope.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            b = -intercept / slope
        var_a = np.diag(covariance)[:n_items]
        var_d = np.diag(covariance)[n_items:]
        cov_ad = np.diag(covariance[:n_items, n_items:])
        # Delta method for b = -d / a: grad = (d / a^2, -1 / a).
        with np.errstate(divide="ignore", invalid="ignore"):
            var_b = (
                (intercept / slope**2) ** 2 * var_a
                + (1.0 / slope) ** 2 * var_d
                - 2.0 * (intercept / slope**2) / slope * cov_ad
            )
        se_a = np.sqrt(np.clip(var_a, 0.0, None))
        se_b = np.sqrt(np.clip(var_b, 0.0, None))
        theta_sd = 1.0
        theta_sd_se = math.nan
    unstable = tuple(
        ids[keep[j]]
        for j in range(n_items)
        if abs(slope[j]) >= MAX_ABS_SLOPE * 0.999
        or abs(intercept[j]) >= MAX_ABS_INTERCEPT * 0.999
        or (model == "2pl" and (abs(float(b[j])) > 10.0 or float(a[j]) <= 0.0))
    )
    return IrtModel(
        kind=model,
        item_ids=tuple(ids[j] for j in keep),
        a=a,
        b=b,
        se_a=se_a,
        se_b=se_b,
        slope=slope,
        intercept=intercept,
        theta_sd=theta_sd,
        theta_sd_se=theta_sd_se,
        log_likelihood=e.log_likelihood,
        n_candidates=data.total_weight,
        iterations=iterations,
        converged=converged,
        quadrature=quad,
        covariance=covariance,
        excluded_items=excluded,
        unstable_items=unstable,
        notes=tuple(notes),
    )


def _invert_information(information: FloatArray) -> FloatArray:
    try:
        chol = np.linalg.cholesky(information)
    except np.linalg.LinAlgError:
        return np.full(information.shape, math.nan)
    inverse_chol = np.linalg.inv(chol)
    result: FloatArray = inverse_chol.T @ inverse_chol
    return result
