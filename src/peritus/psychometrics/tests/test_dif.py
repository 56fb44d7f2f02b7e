"""Mantel-Haenszel DIF: a published worked example, hand tables and the ETS categories."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from peritus.psychometrics.dif import (
    StratifiedTables,
    ets_category,
    mantel_haenszel,
    mantel_haenszel_from_tables,
)
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError


def _tables(strata: list[tuple[int, int, int, int]]) -> StratifiedTables:
    a, b, c, d = (np.array([[s[i]] for s in strata], dtype=np.float64) for i in range(4))
    return StratifiedTables(a=a, b=b, c=c, d=d)


def test_penicillin_example_matches_r_mantelhaen_test() -> None:
    # R's documented example for mantelhaen.test (Rabbits: penicillin given at once or 1.5 h
    # late, cured or died, five dose strata; Agresti). R prints: Mantel-Haenszel X-squared =
    # 3.9286, df = 1, p-value = 0.04747; common odds ratio 7; 95% CI 1.026713 to 47.725133
    # (Robins-Breslow-Greenland variance). Reference group = immediate, "correct" = cured.
    # Strata as (A ref cured, B ref died, C late cured, D late died):
    tables = _tables([(0, 6, 0, 5), (3, 3, 0, 6), (6, 0, 2, 4), (5, 1, 6, 0), (2, 0, 5, 0)])
    alpha, d_dif, se, chi, p, _ = mantel_haenszel_from_tables(tables)
    assert alpha[0] == pytest.approx(7.0)
    assert chi[0] == pytest.approx(3.9286, abs=5e-5)
    assert p[0] == pytest.approx(0.04747, abs=5e-6)
    log_se = se[0] / 2.35
    z = 1.959964
    assert math.exp(math.log(7) - z * log_se) == pytest.approx(1.026713, abs=1e-5)
    assert math.exp(math.log(7) + z * log_se) == pytest.approx(47.725133, abs=1e-4)
    assert d_dif[0] == pytest.approx(-2.35 * math.log(7))


def test_hand_computed_two_strata() -> None:
    # Stratum 1: A=10 B=10 C=5 D=15 (T=40); stratum 2: A=20 B=5 C=15 D=10 (T=50).
    # sum AD/T = 150/40 + 200/50 = 7.75; sum BC/T = 50/40 + 75/50 = 2.75; alpha = 31/11
    # E(A) = 20*15/40 + 25*35/50 = 7.5 + 17.5 = 25; sum A = 30
    # Var(A) = 20*20*15*25/(1600*39) + 25*25*35*15/(2500*49) = 2.403846 + 2.678571
    # chi2 = (|30 - 25| - 0.5)^2 / 5.082418 = 20.25 / 5.082418 = 3.984333
    tables = _tables([(10, 10, 5, 15), (20, 5, 15, 10)])
    alpha, d_dif, _, chi, _, category = mantel_haenszel_from_tables(tables)
    assert alpha[0] == pytest.approx(31 / 11)
    assert d_dif[0] == pytest.approx(-2.35 * math.log(31 / 11))
    assert chi[0] == pytest.approx(20.25 / (6000 / 2496 + 13125 / 4900))
    assert category[0].endswith("-")


def test_strata_with_one_group_or_one_candidate_carry_no_information() -> None:
    base = _tables([(10, 10, 5, 15), (20, 5, 15, 10)])
    padded = _tables([(10, 10, 5, 15), (20, 5, 15, 10), (3, 2, 0, 0), (1, 0, 0, 0)])
    assert mantel_haenszel_from_tables(base)[0][0] == pytest.approx(
        mantel_haenszel_from_tables(padded)[0][0]
    )
    assert mantel_haenszel_from_tables(base)[3][0] == pytest.approx(
        mantel_haenszel_from_tables(padded)[3][0]
    )


@pytest.mark.parametrize(
    ("d_dif", "se", "p", "expected"),
    [
        (-0.8, 0.2, 0.001, "A"),  # |D| < 1
        (-1.2, 0.2, 0.30, "A"),  # not significant
        (-1.2, 0.2, 0.001, "B-"),  # significant, |D| between 1 and 1.5
        (1.6, 0.5, 0.001, "B+"),  # |D| >= 1.5 but not significantly above 1: (0.6/0.5) < 1.645
        (-1.6, 0.3, 0.001, "C-"),  # (1.6 - 1) / 0.3 = 2 > 1.645
        (2.0, 0.3, 0.001, "C+"),
        (math.nan, math.nan, math.nan, ""),
    ],
)
def test_ets_categories(d_dif: float, se: float, p: float, expected: str) -> None:
    assert ets_category(d_dif, se, p, alpha=0.05, z=1.6448536) == expected


def _simulate(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n, k = 6000, 20
    group = np.where(rng.random(n) < 0.5, "R", "F")
    theta = rng.normal(size=n) - 0.3 * (group == "F")
    b = np.linspace(-1.5, 1.5, k)
    shift = np.zeros((n, k))
    shift[:, 4] = np.where(group == "F", 1.0, 0.0)  # item 5 is a logit harder for F
    p = special.expit(theta[:, None] - b - shift)
    return (rng.random((n, k)) < p).astype(np.int8), group


def test_simulated_dif_item_is_category_c_against_the_focal_group() -> None:
    scores, group = _simulate(21)
    result = mantel_haenszel(scores, group, reference="R", focal="F")
    assert result.category[4] == "C-"
    # A logit of DIF is about -2.35 on the delta scale.
    assert result.d_dif[4] == pytest.approx(-2.35, abs=0.5)
    others = [c for j, c in enumerate(result.category) if j != 4]
    assert sum(c.startswith("C") for c in others) == 0
    assert result.n_reference + result.n_focal == scores.shape[0]


def test_swapping_the_groups_flips_the_sign() -> None:
    scores, group = _simulate(4)
    forward = mantel_haenszel(scores, group, reference="R", focal="F")
    backward = mantel_haenszel(scores, group, reference="F", focal="R")
    assert np.allclose(forward.d_dif, -backward.d_dif)
    assert np.allclose(forward.chi_square, backward.chi_square)


def test_purification_keeps_the_c_item_and_clears_the_others() -> None:
    scores, group = _simulate(21)
    result = mantel_haenszel(scores, group, reference="R", focal="F", purify=True)
    assert result.category[4] == "C-"
    assert "purified" in result.matching


def test_bad_input_is_refused() -> None:
    with pytest.raises(PsychometricsInputError):
        mantel_haenszel(np.array([[0, 2]]), ["R"], reference="R", focal="F")
    with pytest.raises(PsychometricsError) as empty:
        mantel_haenszel(np.array([[0, 1], [1, 1]]), ["R", "R"], reference="R", focal="F")
    assert empty.value.code == "empty_group"
