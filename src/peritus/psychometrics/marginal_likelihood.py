"""Marginal maximum likelihood machinery for the Rasch and 2PL models (Bock & Aitkin 1981).

The pieces :func:`peritus.psychometrics.irt.calibrate` assembles: quadrature over a standard
normal trait, the E-step (posterior weights and expected counts at the nodes), Newton-Raphson
M-steps per item (2PL) or for a common slope (Rasch), the analytic observed information by
Louis's (1982) identity, and a Newton-Raphson finish on the marginal likelihood itself.
Everything here works in the slope-intercept parameterisation ``eta = slope * z + intercept``
with ``z ~ N(0, 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from peritus.psychometrics.arrays import FloatArray
from peritus.psychometrics.errors import PsychometricsInputError

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
class ResponseData:
    x: FloatArray  # responses, 0 where missing
    observed: FloatArray | None  # 1 where observed; None when complete
    weights: FloatArray

    @property
    def total_weight(self) -> float:
        return float(self.weights.sum())


@dataclass(frozen=True)
class EStep:
    posterior: FloatArray  # N x Q
    log_likelihood: float
    r: FloatArray  # Q x J expected correct
    n: FloatArray  # Q x J expected presented


def e_step(data: ResponseData, slope: FloatArray, intercept: FloatArray, quad: Quadrature) -> EStep:
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
    return EStep(
        posterior=posterior,
        log_likelihood=float(data.weights @ person_ll),
        r=r,
        n=n,
    )


def m_step_2pl(
    e: EStep,
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
            g_prior, h_prior = log_normal_slope_prior(a, slope_prior_sd)
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


def log_normal_slope_prior(a: FloatArray, sd: float) -> tuple[FloatArray, FloatArray]:
    """Gradient and Hessian of ``log a ~ N(0, sd^2)`` (the BILOG-MG slope prior; Mislevy 1986)."""
    pos = np.maximum(a, 1e-3)
    log_a = np.log(pos)
    grad = -1.0 / pos - log_a / (sd * sd * pos)
    hess = 1.0 / pos**2 - (1.0 - log_a) / (sd * sd * pos**2)
    return grad, hess


def m_step_rasch(
    e: EStep, sigma: float, intercept: FloatArray, z: FloatArray, inner: int = 3
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


def gradient_and_hessian(
    data: ResponseData, e: EStep, slope: FloatArray, intercept: FloatArray, quad: Quadrature
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
    pair_grams = None if observed is None else presented_pair_grams(observed, h * w[:, None])
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


def presented_pair_grams(observed: FloatArray, weighted_posterior: FloatArray) -> FloatArray:
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


def rasch_map(n_items: int) -> FloatArray:
    """Jacobian of (slopes, intercepts) with respect to (sigma, intercepts)."""
    t = np.zeros((2 * n_items, n_items + 1))
    t[:n_items, 0] = 1.0
    t[n_items:, 1:] = np.eye(n_items)
    return t


def newton_polish(
    data: ResponseData,
    e: EStep,
    slope: FloatArray,
    intercept: FloatArray,
    quad: Quadrature,
    *,
    model: ModelKind,
    tolerance: float,
    max_steps: int = 25,
) -> tuple[FloatArray, FloatArray, EStep, int, FloatArray] | None:
    """Newton-Raphson on the marginal log-likelihood with step halving; None if it fails.

    Also returns the observed Hessian (in slopes and intercepts) from the start of the last
    step, which moved the parameters by less than ``tolerance``: the standard errors need no
    further pass over the data.
    """
    n_items = slope.size
    t = rasch_map(n_items) if model == "rasch" else None
    for step in range(1, max_steps + 1):
        grad, full_hessian = gradient_and_hessian(data, e, slope, intercept, quad)
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
                candidate = e_step(data, new_slope, new_intercept, quad)
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
