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
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from peritus.psychometrics.arrays import BoolArray, FloatArray
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError

ModelKind = Literal["rasch", "2pl"]
QuadratureKind = Literal["gauss-hermite", "rectangular"]

# Beyond these the estimates of an item are not usable (quasi-separation: the likelihood keeps
# rising as the slope grows); the item is reported with a flag instead of a number that merely
# reflects the iteration limit.
MAX_ABS_SLOPE = 20.0
MAX_ABS_INTERCEPT = 40.0


@dataclass(frozen=True)
class Quadrature:
    """Nodes and weights (summing to 1) for integrating over a standard normal trait."""

    nodes: FloatArray
    weights: FloatArray
    kind: QuadratureKind

    @property
    def log_weights(self) -> FloatArray:
        result: FloatArray = np.log(self.weights)
        return result


def gauss_hermite(n_points: int = 21) -> Quadrature:
    """Gauss-Hermite quadrature for N(0, 1) (probabilists' Hermite polynomials).

    Bock & Aitkin (1981) used Gauss-Hermite points; ltm's default is 21 of them.
    """
    if n_points < 2:
        raise PsychometricsInputError("bad_quadrature", "use at least 2 quadrature points")
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_points)
    return Quadrature(
        nodes=np.asarray(nodes, dtype=np.float64),
        weights=np.asarray(weights / weights.sum(), dtype=np.float64),
        kind="gauss-hermite",
    )


def rectangular(n_points: int = 61, limit: float = 6.0) -> Quadrature:
    """Equally spaced nodes on [-limit, limit] with normalised N(0, 1) density weights.

    This is the default grid of Bock & Aitkin (1981, "fixed points") and of mirt (61 points).
    """
    if n_points < 2:
        raise PsychometricsInputError("bad_quadrature", "use at least 2 quadrature points")
    nodes = np.linspace(-limit, limit, n_points)
    density = np.exp(-0.5 * nodes**2)
    return Quadrature(nodes=nodes, weights=density / density.sum(), kind="rectangular")


def logistic(x: npt.ArrayLike) -> FloatArray:
    result: FloatArray = special.expit(np.asarray(x, dtype=np.float64))
    return result


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
        """Fisher information ``a^2 P (1 - P)`` of each item at each theta (Lord 1980, eq. 5-9)."""
        p = self.probability(theta)
        result: FloatArray = (self.a**2)[None, :] * p * (1.0 - p)
        return result

    def test_information(self, theta: npt.ArrayLike) -> FloatArray:
        """Sum of the item informations (Lord 1980, eq. 5-6)."""
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


# --------------------------------------------------------------------------------------------
# Likelihood pieces
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Data:
    x: FloatArray  # responses, 0 where missing
    observed: FloatArray | None  # 1 where observed; None when complete
    weights: FloatArray

    @property
    def total_weight(self) -> float:
        return float(self.weights.sum())


@dataclass(frozen=True)
class _EStep:
    posterior: FloatArray  # N x Q
    log_likelihood: float
    r: FloatArray  # Q x J expected correct
    n: FloatArray  # Q x J expected presented


def _e_step(data: _Data, slope: FloatArray, intercept: FloatArray, quad: Quadrature) -> _EStep:
    eta = slope[:, None] * quad.nodes[None, :] + intercept[:, None]  # J x Q
    log_p = -np.logaddexp(0.0, -eta)
    log_q = -np.logaddexp(0.0, eta)
    loglik = data.x @ (log_p - log_q)
    if data.observed is None:
        loglik += log_q.sum(axis=0)[None, :]
    else:
        loglik += data.observed @ log_q
    loglik += quad.log_weights[None, :]
    top = loglik.max(axis=1, keepdims=True)
    dens = np.exp(loglik - top)
    total = dens.sum(axis=1, keepdims=True)
    posterior = dens / total
    person_ll = top[:, 0] + np.log(total[:, 0])
    weighted = posterior * data.weights[:, None]
    r = weighted.T @ data.x
    if data.observed is None:
        n = np.repeat(weighted.sum(axis=0)[:, None], data.x.shape[1], axis=1)
    else:
        n = weighted.T @ data.observed
    return _EStep(
        posterior=posterior,
        log_likelihood=float(data.weights @ person_ll),
        r=r,
        n=n,
    )


def _m_step_2pl(
    e: _EStep,
    slope: FloatArray,
    intercept: FloatArray,
    z: FloatArray,
    *,
    slope_prior_sd: float | None,
    inner: int = 3,
) -> tuple[FloatArray, FloatArray]:
    """Newton-Raphson on each item's expected complete-data log-likelihood (grouped logistic
    regression on the nodes), vectorised over items."""
    a = slope.copy()
    d = intercept.copy()
    r = e.r.T  # J x Q
    n = e.n.T
    for _ in range(inner):
        p = logistic(a[:, None] * z[None, :] + d[:, None])
        resid = r - n * p
        w = n * p * (1.0 - p)
        g_a = resid @ z
        g_d = resid.sum(axis=1)
        h_aa = -(w @ (z * z))
        h_ad = -(w @ z)
        h_dd = -w.sum(axis=1)
        if slope_prior_sd is not None:
            g_prior, h_prior = _log_normal_slope_prior(a, slope_prior_sd)
            g_a = g_a + g_prior
            h_aa = h_aa + h_prior
        det = h_aa * h_dd - h_ad * h_ad
        safe = det > 1e-12
        step_a = np.where(safe, -(h_dd * g_a - h_ad * g_d) / np.where(safe, det, 1.0), 0.0)
        step_d = np.where(safe, -(-h_ad * g_a + h_aa * g_d) / np.where(safe, det, 1.0), 0.0)
        size = np.maximum(np.abs(step_a), np.abs(step_d))
        scale = np.where(size > 1.0, 1.0 / np.maximum(size, 1e-300), 1.0)
        a = a + scale * step_a
        d = d + scale * step_d
        if slope_prior_sd is not None:
            a = np.maximum(a, 1e-3)
        a = np.clip(a, -MAX_ABS_SLOPE, MAX_ABS_SLOPE)
        d = np.clip(d, -MAX_ABS_INTERCEPT, MAX_ABS_INTERCEPT)
        if float(size.max(initial=0.0)) < 1e-10:
            break
    return a, d


def _log_normal_slope_prior(a: FloatArray, sd: float) -> tuple[FloatArray, FloatArray]:
    """Gradient and Hessian of ``log a ~ N(0, sd^2)`` (the BILOG-MG slope prior; Mislevy 1986)."""
    pos = np.maximum(a, 1e-3)
    log_a = np.log(pos)
    grad = -1.0 / pos - log_a / (sd * sd * pos)
    hess = 1.0 / pos**2 - (1.0 - log_a) / (sd * sd * pos**2)
    return grad, hess


def _m_step_rasch(
    e: _EStep, sigma: float, intercept: FloatArray, z: FloatArray, inner: int = 3
) -> tuple[float, FloatArray]:
    """Newton-Raphson for a common slope and item intercepts (arrowhead Hessian, solved by its
    Schur complement)."""
    s = sigma
    d = intercept.copy()
    r = e.r.T
    n = e.n.T
    for _ in range(inner):
        p = logistic(s * z[None, :] + d[:, None])
        resid = r - n * p
        w = n * p * (1.0 - p)
        g_s = float((resid @ z).sum())
        g_d = resid.sum(axis=1)
        h_dd = -w.sum(axis=1)
        h_sd = -(w @ z)
        h_ss = -float((w @ (z * z)).sum())
        safe = np.where(h_dd < -1e-12, h_dd, -1e-12)
        schur = h_ss - float(np.sum(h_sd * h_sd / safe))
        if schur >= -1e-12:
            break
        step_s = (-g_s + float(np.sum(h_sd * g_d / safe))) / schur
        step_d = (-g_d - h_sd * step_s) / safe
        size = max(abs(step_s), float(np.abs(step_d).max(initial=0.0)))
        scale = 1.0 / size if size > 1.0 else 1.0
        s = float(np.clip(s + scale * step_s, 1e-3, MAX_ABS_SLOPE))
        d = np.clip(d + scale * step_d, -MAX_ABS_INTERCEPT, MAX_ABS_INTERCEPT)
        if size < 1e-10:
            break
    return s, d


def _gradient_and_hessian(
    data: _Data, e: _EStep, slope: FloatArray, intercept: FloatArray, quad: Quadrature
) -> tuple[FloatArray, FloatArray]:
    """Gradient and observed Hessian of the marginal log-likelihood in (slopes, intercepts).

    Louis (1982): the Hessian is ``sum_i w_i [sum_q h_iq (H_iq + g_iq g_iq') - s_i s_i']`` with
    ``g_iq`` the complete-data gradient of person *i* at node *q*, ``H_iq`` its Hessian,
    ``h_iq`` the posterior weight and ``s_i = sum_q h_iq g_iq``. Every sum over persons is
    written as a matrix product, so the cost is a handful of (items x persons) x (persons x
    items) products.
    """
    z = quad.nodes
    x = data.x
    w = data.weights
    h = e.posterior
    p = logistic(slope[:, None] * z[None, :] + intercept[:, None])  # J x Q
    observed = data.observed
    mu = [np.ones(x.shape[0]), h @ z, h @ (z * z)]
    g = [h @ (p * z[None, :] ** r).T for r in range(3)]  # N x J each
    if observed is None:
        s1 = x * mu[1][:, None] - g[1]
        s0 = x - g[0]
    else:
        s1 = x * mu[1][:, None] - observed * g[1]
        s0 = x - observed * g[0]
    grad = np.concatenate([w @ s1, w @ s0])

    pq = p * (1.0 - p)
    node_weight = e.n.T  # J x Q expected presented
    a_terms = [-((node_weight * pq) @ (z**r)) for r in range(3)]
    b_terms: list[FloatArray] = []
    weighted_x = x * w[:, None]
    pair_grams = None if observed is None else _presented_pair_grams(observed, h * w[:, None])
    for r in range(3):
        xx = (x * (w * mu[r])[:, None]).T @ x
        if observed is None or pair_grams is None:
            cross = weighted_x.T @ g[r]
            pp = (p * (e.n[:, 0] * z**r)[None, :]) @ p.T
        else:
            cross = weighted_x.T @ (observed * g[r])
            # sum_q z^r P_jq P_kq (expected number presented both j and k at node q)
            n_items = p.shape[0]
            products = (p.T[:, :, None] * p.T[:, None, :]).reshape(z.size, n_items * n_items)
            pp = ((z**r)[:, None] * products * pair_grams).sum(axis=0).reshape(n_items, n_items)
        b_terms.append(xx - cross - cross.T + pp)
    ws1 = s1 * w[:, None]
    ws0 = s0 * w[:, None]
    c_aa = ws1.T @ s1
    c_ad = ws1.T @ s0
    c_dd = ws0.T @ s0
    h_aa = np.diag(a_terms[2]) + b_terms[2] - c_aa
    h_ad = np.diag(a_terms[1]) + b_terms[1] - c_ad
    h_dd = np.diag(a_terms[0]) + b_terms[0] - c_dd
    hessian = np.block([[h_aa, h_ad], [h_ad.T, h_dd]])
    return grad, 0.5 * (hessian + hessian.T)


def _presented_pair_grams(observed: FloatArray, weighted_posterior: FloatArray) -> FloatArray:
    """``G[q, j*J + k] = sum_i w_i h_iq m_ij m_ik`` (nodes x item pairs), in blocks of persons
    so that the persons x item-pairs products never exceed a few million numbers."""
    n, n_items = observed.shape
    grams = np.zeros((weighted_posterior.shape[1], n_items * n_items))
    block = max(1, 4_000_000 // max(n_items * n_items, 1))
    for start in range(0, n, block):
        m = observed[start : start + block]
        pairs = (m[:, :, None] * m[:, None, :]).reshape(m.shape[0], n_items * n_items)
        grams += weighted_posterior[start : start + block].T @ pairs
    return grams


def _rasch_map(n_items: int) -> FloatArray:
    """Jacobian of (slopes, intercepts) with respect to (sigma, intercepts)."""
    t = np.zeros((2 * n_items, n_items + 1))
    t[:n_items, 0] = 1.0
    t[n_items:, 1:] = np.eye(n_items)
    return t


# --------------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------------


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
    data = _Data(
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
    e = _e_step(data, slope, intercept, quad)
    use_newton = slope_prior_sd is None
    final_hessian: FloatArray | None = None
    notes: list[str] = []
    while iterations < max_iterations:
        iterations += 1
        if model == "rasch":
            new_sigma, new_intercept = _m_step_rasch(e, sigma, intercept, z)
            change = max(abs(new_sigma - sigma), float(np.abs(new_intercept - intercept).max()))
            sigma, intercept = new_sigma, new_intercept
            slope = np.full(n_items, sigma)
        else:
            new_slope, new_intercept = _m_step_2pl(
                e, slope, intercept, z, slope_prior_sd=slope_prior_sd
            )
            change = max(
                float(np.abs(new_slope - slope).max()),
                float(np.abs(new_intercept - intercept).max()),
            )
            slope, intercept = new_slope, new_intercept
        e = _e_step(data, slope, intercept, quad)
        ll_change = e.log_likelihood - last_ll
        last_ll = e.log_likelihood
        if change < tolerance or (change < 10 * tolerance and abs(ll_change) < 1e-10):
            converged = True
            break
        if use_newton and change < em_tolerance:
            polished = _newton_polish(
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
        _, final_hessian = _gradient_and_hessian(data, e, slope, intercept, quad)
    hessian = final_hessian.copy()
    if slope_prior_sd is not None and model == "2pl":
        _, h_prior = _log_normal_slope_prior(slope, slope_prior_sd)
        hessian[np.arange(n_items), np.arange(n_items)] += h_prior
    if model == "rasch":
        t = _rasch_map(n_items)
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


def _newton_polish(
    data: _Data,
    e: _EStep,
    slope: FloatArray,
    intercept: FloatArray,
    quad: Quadrature,
    *,
    model: ModelKind,
    tolerance: float,
    max_steps: int = 25,
) -> tuple[FloatArray, FloatArray, _EStep, int, FloatArray] | None:
    """Newton-Raphson on the marginal log-likelihood with step halving; None if it fails.

    Also returns the observed Hessian (in slopes and intercepts) from the start of the last
    step, which moved the parameters by less than ``tolerance``: the standard errors need no
    further pass over the data.
    """
    n_items = slope.size
    t = _rasch_map(n_items) if model == "rasch" else None
    for step in range(1, max_steps + 1):
        grad, full_hessian = _gradient_and_hessian(data, e, slope, intercept, quad)
        hessian = full_hessian
        if t is not None:
            grad = t.T @ grad
            hessian = t.T @ full_hessian @ t
        try:
            chol = np.linalg.cholesky(-hessian)
        except np.linalg.LinAlgError:
            return None
        delta = np.linalg.solve(chol.T, np.linalg.solve(chol, grad))
        scale = 1.0
        accepted = False
        for _ in range(30):
            if t is not None:
                sigma = float(slope[0] + scale * delta[0])
                new_slope = np.full(n_items, sigma)
                new_intercept = intercept + scale * delta[1:]
            else:
                new_slope = slope + scale * delta[:n_items]
                new_intercept = intercept + scale * delta[n_items:]
            if (
                np.all(np.abs(new_slope) < MAX_ABS_SLOPE)
                and np.all(np.abs(new_intercept) < MAX_ABS_INTERCEPT)
                and (t is None or new_slope[0] > 0)
            ):
                candidate = _e_step(data, new_slope, new_intercept, quad)
                if candidate.log_likelihood >= e.log_likelihood - 1e-9:
                    accepted = True
                    break
            scale /= 2.0
        if not accepted:
            return None
        slope, intercept, e = new_slope, new_intercept, candidate
        if float(np.abs(scale * delta).max()) < tolerance:
            return slope, intercept, e, step, full_hessian
    return None


def expected_a_priori_weights(model: IrtModel) -> tuple[FloatArray, FloatArray]:
    """The calibration's quadrature on the reporting metric: (theta nodes, prior weights)."""
    return model.theta_nodes, model.quadrature.weights


def log_likelihood_at_nodes(
    model: IrtModel, responses: FloatArray, observed: BoolArray, nodes: FloatArray
) -> FloatArray:
    """log P(responses | theta = node) for each candidate (rows) and node (columns)."""
    eta = model.a[:, None] * (nodes[None, :] - model.b[:, None])
    log_p = -np.logaddexp(0.0, -eta)
    log_q = -np.logaddexp(0.0, eta)
    x = np.where(observed, responses, 0.0)
    result: FloatArray = x @ (log_p - log_q) + observed.astype(np.float64) @ log_q
    return result
