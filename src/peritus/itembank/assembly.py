"""Exam form assembly as a constraint problem (OR-Tools CP-SAT), pure: no database.

Variables: x[i, f] = 1 when candidate item i is on form f. Constraints, for every form:

* the form length, and each blueprint row's item count (a row is a competence domain at one
  cognitive level, or at any level), and the row's points range when given;
* the total points when the blueprint fixes them;
* no two enemies on the same form;
* when item statistics exist and a target mean difficulty is set, the mean p of the items with
  statistics lies within the tolerance of the target.

Across forms, an item appears on at most `max_forms_per_item` forms (1: disjoint parallel
forms). The objective prefers rarely exposed items and, with statistics, forms whose difficulty
is close to the target; a seeded random tie-break keeps forms from always taking the same items.
When no form is possible, `explain_infeasible` says why in the blueprint's own words.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

from ortools.sat.python import cp_model

SCALE = 100  # points are kept to hundredths
P_SCALE = 1000


@dataclasses.dataclass(frozen=True)
class Candidate:
    id: int
    domain: int | None
    level: str
    points: float
    p_value: float | None = None
    exposure: int = 0
    enemies: frozenset[int] = frozenset()
    label: str = ""


@dataclasses.dataclass(frozen=True)
class RowSpec:
    domain: int
    level: str  # "" = any level
    count: int
    min_points: float | None = None
    max_points: float | None = None
    label: str = ""

    def matches(self, candidate: Candidate) -> bool:
        return candidate.domain == self.domain and (not self.level or candidate.level == self.level)


@dataclasses.dataclass(frozen=True)
class AssemblySpec:
    total_items: int
    rows: tuple[RowSpec, ...]
    forms: int = 1
    max_forms_per_item: int = 1
    total_points: float | None = None
    target_mean_p: float | None = None
    tolerance: float = 0.05


@dataclasses.dataclass
class AssemblyResult:
    forms: list[list[int]]
    status: str
    reasons: list[str]
    wall_seconds: float = 0.0
    mean_p: list[float | None] = dataclasses.field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return bool(self.forms)


def check_spec(spec: AssemblySpec) -> list[str]:
    """Problems in the blueprint itself (before looking at any item)."""
    problems = []
    if sum(row.count for row in spec.rows) != spec.total_items:
        problems.append(
            f"The rows ask for {sum(r.count for r in spec.rows)} items but the form has {spec.total_items}."
        )
    seen: dict[int, set[str]] = {}
    for row in spec.rows:
        levels = seen.setdefault(row.domain, set())
        if row.level in levels or (row.level and "" in levels) or (not row.level and levels):
            problems.append(
                f"Rows of {row.label or row.domain} overlap; give each level once, or one row for any level."
            )
        levels.add(row.level)
    if spec.forms < 1 or spec.max_forms_per_item < 1:
        problems.append("Ask for at least one form; an item may be on at least one form.")
    return problems


def _row_of(spec: AssemblySpec, candidate: Candidate) -> int | None:
    for index, row in enumerate(spec.rows):
        if row.matches(candidate):
            return index
    return None


def explain_infeasible(spec: AssemblySpec, candidates: Sequence[Candidate]) -> list[str]:
    """Why no form can be built: counts per row first, then which constraint family blocks it."""
    reasons = check_spec(spec)
    if reasons:
        return reasons
    capacity = spec.forms / spec.max_forms_per_item
    for row in spec.rows:
        matching = [c for c in candidates if row.matches(c)]
        needed = row.count * capacity
        if len(matching) < needed:
            reasons.append(
                f"{row.label or row.domain}: {row.count} items per form × {spec.forms} form(s) "
                f"need {int(needed + 0.999)} eligible items; the bank has {len(matching)}."
            )
        if row.min_points is not None:
            best = sorted((c.points for c in matching), reverse=True)[: row.count]
            if sum(best) < row.min_points:
                reasons.append(
                    f"{row.label or row.domain}: even the {row.count} highest-scoring items give fewer than {row.min_points:g} points."
                )
        if row.max_points is not None:
            least = sorted(c.points for c in matching)[: row.count]
            if sum(least) > row.max_points:
                reasons.append(
                    f"{row.label or row.domain}: even the {row.count} lowest-scoring items give more than {row.max_points:g} points."
                )
    if reasons:
        return reasons
    relaxations = (
        ("enemies", dataclasses.replace(spec), True, False),
        ("target", dataclasses.replace(spec, target_mean_p=None), False, False),
        ("points", dataclasses.replace(spec, total_points=None,
                                       rows=tuple(dataclasses.replace(r, min_points=None, max_points=None) for r in spec.rows)),
         False, False),
    )  # fmt: skip
    for name, relaxed, drop_enemies, _ in relaxations:
        pool = (
            [dataclasses.replace(c, enemies=frozenset()) for c in candidates]
            if drop_enemies
            else list(candidates)
        )
        if _solve(relaxed, pool, seed=1, seconds=5.0).feasible:
            return [
                {
                    "enemies": "The enemy pairs leave too few compatible items: without them a form would be possible.",
                    "target": "No selection reaches the target mean difficulty within the tolerance.",
                    "points": "The points required per domain or in total cannot be met with the items available.",
                }[name]
            ]
    return ["The constraints cannot all be met together (counts, enemies, points and difficulty)."]


def assemble(
    spec: AssemblySpec, candidates: Sequence[Candidate], *, seed: int = 0, seconds: float = 20.0
) -> AssemblyResult:
    """Build `spec.forms` forms, or say why none can be built."""
    problems = check_spec(spec)
    if problems:
        return AssemblyResult(forms=[], status="invalid", reasons=problems)
    pool = [c for c in candidates if _row_of(spec, c) is not None]
    result = _solve(spec, pool, seed=seed, seconds=seconds)
    if not result.feasible and result.status in {"INFEASIBLE", "MODEL_INVALID"}:
        result.reasons = explain_infeasible(spec, pool)
    elif not result.feasible:
        result.reasons = [
            "No form was found within the time allowed; try again or relax the blueprint."
        ]
    return result


def _solve(
    spec: AssemblySpec, pool: Sequence[Candidate], *, seed: int, seconds: float
) -> AssemblyResult:
    model = cp_model.CpModel()
    forms = range(spec.forms)
    index = {c.id: n for n, c in enumerate(pool)}
    x = {(n, f): model.new_bool_var(f"x{n}_{f}") for n in range(len(pool)) for f in forms}
    rows_of = [_row_of(spec, c) for c in pool]
    points = [round(c.points * SCALE) for c in pool]
    for f in forms:
        model.add(sum(x[n, f] for n in range(len(pool))) == spec.total_items)
        for r, row in enumerate(spec.rows):
            members = [n for n in range(len(pool)) if rows_of[n] == r]
            model.add(sum(x[n, f] for n in members) == row.count)
            if row.min_points is not None:
                model.add(
                    sum(points[n] * x[n, f] for n in members) >= round(row.min_points * SCALE)
                )
            if row.max_points is not None:
                model.add(
                    sum(points[n] * x[n, f] for n in members) <= round(row.max_points * SCALE)
                )
        if spec.total_points is not None:
            model.add(
                sum(points[n] * x[n, f] for n in range(len(pool)))
                == round(spec.total_points * SCALE)
            )
        for n, candidate in enumerate(pool):
            for enemy in candidate.enemies:
                m = index.get(enemy)
                if m is not None and m > n:
                    model.add(x[n, f] + x[m, f] <= 1)
    for n in range(len(pool)):
        model.add(sum(x[n, f] for f in forms) <= spec.max_forms_per_item)
    with_p = [n for n, c in enumerate(pool) if c.p_value is not None]
    deviations = []
    if spec.target_mean_p is not None and with_p:
        low = spec.target_mean_p - spec.tolerance
        high = spec.target_mean_p + spec.tolerance
        for f in forms:
            p = {n: pool[n].p_value or 0.0 for n in with_p}
            model.add(sum(round((p[n] - low) * P_SCALE) * x[n, f] for n in with_p) >= 0)
            model.add(sum(round((p[n] - high) * P_SCALE) * x[n, f] for n in with_p) <= 0)
            gap = model.new_int_var(0, P_SCALE * spec.total_items, f"gap{f}")
            total = sum(round((p[n] - spec.target_mean_p) * P_SCALE) * x[n, f] for n in with_p)
            model.add(gap >= total)
            model.add(gap >= -total)
            deviations.append(gap)
    rng = random.Random(seed)  # noqa: S311 - a tie-break, not security
    max_exposure = max((c.exposure for c in pool), default=0) or 1
    weights = [round(100 * c.exposure / max_exposure) + rng.randint(0, 20) for c in pool]
    model.minimize(
        sum(weights[n] * x[n, f] for n in range(len(pool)) for f in forms) + 10 * sum(deviations)
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    solver.parameters.relative_gap_limit = 0.05
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return AssemblyResult(forms=[], status=name, reasons=[], wall_seconds=solver.wall_time)
    chosen = [[pool[n].id for n in range(len(pool)) if solver.value(x[n, f])] for f in forms]
    means: list[float | None] = []
    by_id = {c.id: c for c in pool}
    for form in chosen:
        ps = [by_id[i].p_value for i in form if by_id[i].p_value is not None]
        means.append(sum(p for p in ps if p is not None) / len(ps) if ps else None)
    return AssemblyResult(
        forms=chosen, status=name, reasons=[], wall_seconds=solver.wall_time, mean_p=means
    )
