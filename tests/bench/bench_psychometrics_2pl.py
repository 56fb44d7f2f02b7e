"""Benchmark ``psychometrics_2pl``: 2PL calibration of 10,000 candidates x 100 items.

Target (product.md, section 5): under 10 s on the project's 2-core machines, recovering the
simulated parameters with a correlation of at least 0.98 for the difficulties b and 0.9 for
the discriminations a.

* Data: seeded; a ~ lognormal(0, 0.3), b ~ N(0, 1), theta ~ N(0, 1), logistic metric.
* Timed: ``peritus.psychometrics.irt.calibrate(model="2pl")`` end to end - EM, the Newton
  finish and the observed information for the standard errors.
* Floor (for scale, measured in the same run): one E-step over the same data, the unit of work
  EM repeats.
* BLAS runs on one thread. OpenBLAS threads busy-wait for each other, so on a shared machine a
  two-thread run can take ten times longer than on an idle one (measured while other jobs ran
  on the same two cores: one E-step 0.5 s with two threads, 0.07 s with one). One thread is
  slower than two on an idle machine, so the figure is conservative and does not depend on
  what else the machine is doing.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads OpenBLAS; see above

import sys
import time

import numpy as np
from harness import report
from scipy import special

from peritus.psychometrics.irt import calibrate, rectangular
from peritus.psychometrics.marginal_likelihood import ResponseData, e_step

NAME = "psychometrics_2pl"
N_CANDIDATES = 10_000
N_ITEMS = 100
SEED = 20251125
TIME_TARGET = 10.0
B_TARGET = 0.98
A_TARGET = 0.90


def main() -> bool:
    rng = np.random.default_rng(SEED)
    a = rng.lognormal(0.0, 0.3, N_ITEMS)
    b = rng.normal(0.0, 1.0, N_ITEMS)
    theta = rng.normal(0.0, 1.0, N_CANDIDATES)
    responses = rng.random((N_CANDIDATES, N_ITEMS)) < special.expit(a * (theta[:, None] - b))
    responses = responses.astype(np.int8)
    print(f"simulated {N_CANDIDATES:,} x {N_ITEMS} 2PL responses (seed {SEED})", flush=True)

    data = ResponseData(
        x=responses.astype(np.float64), observed=None, weights=np.ones(N_CANDIDATES)
    )
    quadrature = rectangular()
    start = time.perf_counter()
    e_step(data, np.ones(N_ITEMS), np.zeros(N_ITEMS), quadrature)
    e_step_seconds = time.perf_counter() - start

    start = time.perf_counter()
    model = calibrate(responses, model="2pl")
    seconds = time.perf_counter() - start

    r_b = float(np.corrcoef(model.b, b)[0, 1])
    r_a = float(np.corrcoef(model.a, a)[0, 1])
    rmse_b = float(np.sqrt(np.mean((model.b - b) ** 2)))
    rmse_a = float(np.sqrt(np.mean((model.a - a) ** 2)))
    coverage_b = float(np.mean(np.abs(model.b - b) < 1.96 * model.se_b))
    print(
        f"calibration: {seconds:.2f} s ({model.iterations} iterations, converged: {model.converged})"
    )
    print(f"one E-step (floor for scale): {e_step_seconds * 1000:.1f} ms")
    print(f"recovery r(b) = {r_b:.4f} (target >= {B_TARGET}), RMSE(b) = {rmse_b:.4f}")
    print(f"recovery r(a) = {r_a:.4f} (target >= {A_TARGET}), RMSE(a) = {rmse_a:.4f}")
    print(f"95% intervals covering the true b: {coverage_b:.1%}")
    print(
        f"log-likelihood {model.log_likelihood:.2f}; cores: {os.cpu_count()}; "
        f"BLAS threads: {os.environ['OPENBLAS_NUM_THREADS']}"
    )

    passed = seconds < TIME_TARGET and r_b >= B_TARGET and r_a >= A_TARGET and model.converged
    return report(
        NAME,
        figure=seconds,
        unit="s",
        target=f"<{TIME_TARGET:g}s_r(b)>={B_TARGET}_r(a)>={A_TARGET}",
        passed=passed,
        floor={"what": "one E-step over the same data", "seconds": round(e_step_seconds, 5)},
        details={
            "candidates": N_CANDIDATES,
            "items": N_ITEMS,
            "seed": SEED,
            "iterations": model.iterations,
            "converged": model.converged,
            "r_b": round(r_b, 5),
            "r_a": round(r_a, 5),
            "rmse_b": round(rmse_b, 5),
            "rmse_a": round(rmse_a, 5),
            "coverage_b_95": round(coverage_b, 4),
            "log_likelihood": round(model.log_likelihood, 3),
            "blas_threads": os.environ["OPENBLAS_NUM_THREADS"],
        },
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
