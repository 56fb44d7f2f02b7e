"""Form assembly (CP-SAT): every form meets its blueprint, holds no enemy pair, or says why not."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from peritus.itembank.assembly import AssemblySpec, Candidate, RowSpec, assemble

LEVELS = ["remember", "apply", "analyse"]


@st.composite
def problems(draw: st.DrawFn) -> tuple[AssemblySpec, list[Candidate]]:
    domains = draw(st.integers(1, 3))
    by_level = draw(st.booleans())
    rows = []
    for domain in range(domains):
        if by_level:
            for level in draw(
                st.lists(st.sampled_from(LEVELS), min_size=1, max_size=3, unique=True)
            ):
                rows.append(RowSpec(domain=domain, level=level, count=draw(st.integers(1, 3))))
        else:
            rows.append(RowSpec(domain=domain, level="", count=draw(st.integers(1, 4))))
    size = draw(st.integers(5, 60))
    candidates = []
    for n in range(size):
        candidates.append(
            Candidate(
                id=n,
                domain=draw(
                    st.integers(0, domains)
                ),  # `domains` itself: a domain outside the blueprint
                level=draw(st.sampled_from(LEVELS)),
                points=draw(st.sampled_from([1.0, 1.0, 2.0])),
                p_value=draw(st.one_of(st.none(), st.floats(0.2, 0.95))),
            )
        )
    enemy_pairs = draw(
        st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)), max_size=15)
    )
    enemies: dict[int, set[int]] = {}
    for a, b in enemy_pairs:
        if a != b:
            enemies.setdefault(a, set()).add(b)
            enemies.setdefault(b, set()).add(a)
    candidates = [
        Candidate(
            c.id, c.domain, c.level, c.points, c.p_value, enemies=frozenset(enemies.get(c.id, ()))
        )
        for c in candidates
    ]
    spec = AssemblySpec(
        total_items=sum(r.count for r in rows),
        rows=tuple(rows),
        forms=draw(st.integers(1, 2)),
        target_mean_p=draw(st.one_of(st.none(), st.floats(0.5, 0.8))),
        tolerance=0.1,
    )
    return spec, candidates


@settings(max_examples=60, deadline=None)
@given(problem=problems())
def test_every_assembled_form_meets_its_blueprint_and_has_no_enemy_pair(
    problem: tuple[AssemblySpec, list[Candidate]],
) -> None:
    spec, candidates = problem

    result = assemble(spec, candidates, seed=7, seconds=5.0)

    if not result.feasible:
        assert result.reasons, "an infeasible blueprint must say why"
        return
    by_id = {c.id: c for c in candidates}
    assert len(result.forms) == spec.forms
    used: list[int] = []
    for form in result.forms:
        assert len(form) == len(set(form)) == spec.total_items
        for row in spec.rows:
            assert sum(1 for i in form if row.matches(by_id[i])) == row.count
        for a, b in itertools.combinations(form, 2):
            assert b not in by_id[a].enemies
        with_p = [by_id[i].p_value for i in form if by_id[i].p_value is not None]
        if spec.target_mean_p is not None and with_p:
            mean = sum(p for p in with_p if p is not None) / len(with_p)
            assert abs(mean - spec.target_mean_p) <= spec.tolerance + 1e-3
        used.extend(form)
    assert len(used) == len(set(used)), "parallel forms share no item by default"


def test_too_few_items_in_a_domain_is_explained_in_the_blueprint_s_words() -> None:
    candidates = [Candidate(id=n, domain=1, level="apply", points=1.0) for n in range(3)]
    spec = AssemblySpec(
        total_items=5, rows=(RowSpec(domain=1, level="", count=5, label="D1 Identity"),)
    )

    result = assemble(spec, candidates)

    assert not result.feasible
    assert result.reasons == [
        "D1 Identity: 5 items per form × 1 form(s) need 5 eligible items; the bank has 3."
    ]


def test_enemies_that_block_every_form_are_named_as_the_cause() -> None:
    candidates = [
        Candidate(id=n, domain=1, level="apply", points=1.0, enemies=frozenset(set(range(4)) - {n}))
        for n in range(4)
    ]
    spec = AssemblySpec(total_items=2, rows=(RowSpec(domain=1, level="", count=2),))

    result = assemble(spec, candidates)

    assert not result.feasible
    assert "enemy" in result.reasons[0]


def test_an_unreachable_difficulty_target_is_named_as_the_cause() -> None:
    candidates = [
        Candidate(id=n, domain=1, level="apply", points=1.0, p_value=0.9) for n in range(10)
    ]
    spec = AssemblySpec(
        total_items=5,
        rows=(RowSpec(domain=1, level="", count=5),),
        target_mean_p=0.5,
        tolerance=0.05,
    )

    result = assemble(spec, candidates)

    assert result.reasons == [
        "No selection reaches the target mean difficulty within the tolerance."
    ]


def test_rows_that_do_not_add_up_to_the_form_length_are_refused() -> None:
    spec = AssemblySpec(total_items=10, rows=(RowSpec(domain=1, level="", count=4),))

    result = assemble(spec, [])

    assert result.status == "invalid"
    assert "ask for 4 items but the form has 10" in result.reasons[0]
