"""The pure rule deciding whether findings meet the prerequisites."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peritus.applications.eligibility import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    Requirement,
    unmet_requirements,
)

results = st.sampled_from([MET, NOT_MET, NOT_APPLICABLE])


@given(st.lists(st.tuples(st.sampled_from(["", "a", "b"]), results), min_size=1, max_size=8))
def test_all_met_is_always_eligible_and_a_lone_unmet_never_is(
    rows: list[tuple[str, str]],
) -> None:
    requirements = [Requirement(i, f"R{i}", group) for i, (group, _) in enumerate(rows)]
    assert unmet_requirements(requirements, dict.fromkeys(range(len(rows)), MET)) == []

    outcome = unmet_requirements(requirements, {i: result for i, (_, result) in enumerate(rows)})
    for i, (group, result) in enumerate(rows):
        if not group and result == NOT_MET:
            assert f"R{i}" in outcome


@given(st.lists(results, min_size=1, max_size=6))
def test_a_group_is_met_by_any_route(group_results: list[str]) -> None:
    requirements = [Requirement(i, f"R{i}", "route") for i in range(len(group_results))]
    outcome = unmet_requirements(requirements, dict(enumerate(group_results)))

    expected_unmet = MET not in group_results and NOT_MET in group_results
    assert (outcome != []) is expected_unmet


def test_a_requirement_without_a_finding_is_an_error() -> None:
    with pytest.raises(KeyError):
        unmet_requirements([Requirement(1, "R1")], {})
