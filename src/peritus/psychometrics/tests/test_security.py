"""Person fit (lz*) and answer-similarity screening."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import special

from peritus.psychometrics.ability import estimate_abilities
from peritus.psychometrics.irt import IrtModel, calibrate
from peritus.psychometrics.security import _tail_table, answer_similarity, lz_star


def _model(seed: int = 1, n: int = 3000, k: int = 40) -> tuple[IrtModel, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.lognormal(0, 0.25, k)
    b = rng.normal(0, 1, k)
    theta = rng.normal(size=n)
    x = (rng.random((n, k)) < special.expit(a * (theta[:, None] - b))).astype(np.int8)
    return calibrate(x, model="2pl"), x


def test_lz_star_matches_snijders_formula_computed_item_by_item() -> None:
    model, x = _model(k=12, n=1500)
    row = x[7].astype(float)
    theta = float(estimate_abilities(model, row[None, :]).wle[0])
    # Snijders (2001), written out with plain loops: w_j = log(P/Q) = a (theta - b), r_j = a_j.
    p = [1 / (1 + math.exp(-model.a[j] * (theta - model.b[j]))) for j in range(12)]
    w = [model.a[j] * (theta - model.b[j]) for j in range(12)]
    derivative = [model.a[j] * p[j] * (1 - p[j]) for j in range(12)]
    c = sum(derivative[j] * w[j] for j in range(12)) / sum(
        derivative[j] * model.a[j] for j in range(12)
    )
    info = sum(model.a[j] ** 2 * p[j] * (1 - p[j]) for j in range(12))
    j_term = sum(model.a[j] ** 3 * p[j] * (1 - p[j]) * (1 - 2 * p[j]) for j in range(12))
    r0 = j_term / (2 * info)  # WLE
    numerator = sum((row[j] - p[j]) * w[j] for j in range(12)) + c * r0
    variance = sum((w[j] - c * model.a[j]) ** 2 * p[j] * (1 - p[j]) for j in range(12))
    assert lz_star(model, row[None, :], [theta])[0] == pytest.approx(
        numerator / math.sqrt(variance)
    )


def test_lz_star_is_standard_normal_for_model_conforming_candidates() -> None:
    model, x = _model()
    theta = estimate_abilities(model, x).wle
    values = lz_star(model, x, theta)
    assert abs(float(np.mean(values))) < 0.1
    assert float(np.std(values)) == pytest.approx(1.0, abs=0.1)
    # about 5% below the one-sided 5% point
    assert float(np.mean(values < -1.645)) == pytest.approx(0.05, abs=0.02)


def test_a_reversed_guttman_pattern_is_flagged() -> None:
    model, _ = _model(k=30, n=2000)
    order = np.argsort(model.b)
    aberrant = np.zeros(30)
    aberrant[order[-10:]] = 1  # right on the 10 hardest, wrong on the 20 easiest
    theta = estimate_abilities(model, aberrant[None, :]).wle
    assert lz_star(model, aberrant[None, :], theta)[0] < -3


def test_tail_table_matches_enumeration() -> None:
    probabilities = np.array([0.1, 0.5, 0.8, 0.3])
    tail = _tail_table(probabilities[None, :])[0]
    exact = np.zeros(5)
    for bits in itertools.product([0, 1], repeat=4):
        prob = math.prod(p if bit else 1 - p for p, bit in zip(probabilities, bits, strict=True))
        exact[sum(bits)] += prob
    assert np.allclose(tail, np.cumsum(exact[::-1])[::-1])


def _exam(seed: int, n: int = 1500, k: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n)
    b = rng.normal(size=k)
    right = rng.random((n, k)) < special.expit(theta[:, None] - b)
    key = rng.integers(0, 4, k)
    wrong_choice = (key + rng.integers(1, 4, (n, k))) % 4
    responses = np.where(right, key, wrong_choice)
    return responses, key, rng.random(k)


def test_a_copying_pair_is_flagged_and_nothing_else() -> None:
    responses, key, copied = _exam(3)
    responses[11, copied < 0.7] = responses[42, copied < 0.7]
    scores = (responses == key).astype(np.int8)
    screen = answer_similarity(responses, scores.sum(axis=1), correct=scores)
    assert [(pair.first, pair.second) for pair in screen.flagged] == [(11, 42)]
    assert screen.n_pairs == 1500 * 1499 // 2
    assert screen.flagged[0].identical > screen.flagged[0].expected


def test_independent_candidates_are_not_flagged() -> None:
    responses, key, _ = _exam(8)
    scores = (responses == key).astype(np.int8)
    screen = answer_similarity(responses, scores.sum(axis=1), correct=scores)
    assert screen.flagged == ()
    assert len(screen.most_similar) == 20
    assert screen.most_similar[0].p_value <= screen.most_similar[-1].p_value


def test_omitted_responses_never_count_as_matches() -> None:
    responses, key, _ = _exam(5, n=200, k=30)
    responses[3] = responses[4]
    omitted = np.zeros(responses.shape, dtype=bool)
    omitted[3] = omitted[4] = True
    scores = (responses == key).astype(np.int8)
    screen = answer_similarity(responses, scores.sum(axis=1), omitted=omitted)
    assert all({pair.first, pair.second} != {3, 4} for pair in screen.flagged)
