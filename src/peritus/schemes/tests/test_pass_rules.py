"""The rules that combine component results (pure; hypothesis explores the space)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from peritus.schemes.pass_rules import (
    ComponentRule,
    PassRule,
    ReasonCode,
    RuleKind,
    evaluate,
)

money = st.decimals(min_value=Decimal(1), max_value=Decimal(500), places=2)


@st.composite
def components(draw: st.DrawFn) -> tuple[ComponentRule, ...]:
    count = draw(st.integers(min_value=1, max_value=5))
    rules = []
    for index in range(count):
        max_score = draw(money)
        pass_mark = draw(st.decimals(min_value=Decimal(0), max_value=max_score, places=2))
        weight = draw(st.decimals(min_value=Decimal(0), max_value=Decimal(10), places=2))
        required = draw(st.booleans())
        rules.append(ComponentRule(f"C{index}", max_score, pass_mark, weight, required))
    return tuple(rules)


@st.composite
def rules_and_scores(
    draw: st.DrawFn, kind: RuleKind | None = None
) -> tuple[PassRule, dict[str, Decimal | None]]:
    parts = draw(components())
    chosen = kind or draw(st.sampled_from(list(RuleKind)))
    overall = (
        None
        if chosen == RuleKind.CONJUNCTIVE
        else draw(st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2))
    )
    rule = PassRule(chosen, parts, overall)
    scores: dict[str, Decimal | None] = {}
    for part in parts:
        taken = (
            draw(st.booleans())
            if not part.required
            else draw(st.sampled_from([True] * 4 + [False]))
        )
        scores[part.code] = (
            draw(st.decimals(min_value=Decimal(0), max_value=part.max_score, places=2))
            if taken
            else None
        )
    return rule, scores


@given(rules_and_scores())
def test_raising_a_score_never_turns_a_pass_into_a_fail(
    case: tuple[PassRule, dict[str, Decimal | None]],
) -> None:
    rule, scores = case
    before = evaluate(rule, scores)
    for part in rule.components:
        if scores[part.code] is not None:
            better = dict(scores, **{part.code: part.max_score})
            assert not (before.passed and not evaluate(rule, better).passed)


@given(rules_and_scores(RuleKind.CONJUNCTIVE))
def test_conjunctive_rule_passes_exactly_when_every_required_component_is_passed(
    case: tuple[PassRule, dict[str, Decimal | None]],
) -> None:
    rule, scores = case
    expected = all(
        scores[part.code] is not None and scores[part.code] >= part.pass_mark  # type: ignore[operator]
        for part in rule.components
        if part.required
    )
    assert evaluate(rule, scores).passed is expected


@given(rules_and_scores())
def test_hybrid_rule_is_conjunctive_and_compensatory_together(
    case: tuple[PassRule, dict[str, Decimal | None]],
) -> None:
    rule, scores = case
    overall = rule.overall_pass_percent if rule.overall_pass_percent is not None else Decimal(50)
    hybrid = evaluate(PassRule(RuleKind.HYBRID, rule.components, overall), scores)
    conjunctive = evaluate(PassRule(RuleKind.CONJUNCTIVE, rule.components), scores)
    compensatory = evaluate(PassRule(RuleKind.COMPENSATORY, rule.components, overall), scores)
    assert hybrid.passed is (conjunctive.passed and compensatory.passed)


@given(rules_and_scores())
def test_weighted_total_is_a_percentage(case: tuple[PassRule, dict[str, Decimal | None]]) -> None:
    rule, scores = case
    total = evaluate(rule, scores).total
    assert total is None or Decimal(0) <= total <= Decimal(100)


@given(rules_and_scores())
def test_a_missing_required_result_never_passes_and_says_so(
    case: tuple[PassRule, dict[str, Decimal | None]],
) -> None:
    rule, scores = case
    required = [part for part in rule.components if part.required]
    assume(required)
    scores = dict(scores, **{required[0].code: None})
    outcome = evaluate(rule, scores)
    assert not outcome.passed
    assert not outcome.complete
    assert any(
        reason.code == ReasonCode.MISSING and reason.component == required[0].code
        for reason in outcome.reasons
    )


@given(components())
def test_full_marks_pass_every_rule(parts: tuple[ComponentRule, ...]) -> None:
    scores = {part.code: part.max_score for part in parts}
    assume(any(part.weight > 0 for part in parts))
    for kind in RuleKind:
        overall = None if kind == RuleKind.CONJUNCTIVE else Decimal(100)
        assert evaluate(PassRule(kind, parts, overall), scores).passed


def test_compensatory_rule_lets_a_strong_component_make_up_for_a_weak_one() -> None:
    rule = PassRule(
        RuleKind.COMPENSATORY,
        (
            ComponentRule("WRITTEN", Decimal(100), Decimal(60), Decimal(1)),
            ComponentRule("PRACTICAL", Decimal(50), Decimal(30), Decimal(1)),
        ),
        Decimal(60),
    )

    outcome = evaluate(rule, {"WRITTEN": 55, "PRACTICAL": "40"})

    assert outcome.passed
    assert outcome.total == Decimal("67.50")
    assert [c.reason.code for c in outcome.components] == [
        ReasonCode.BELOW_PASS_MARK,
        ReasonCode.PASSED,
    ]


def test_conjunctive_rule_names_the_failed_component() -> None:
    rule = PassRule(
        RuleKind.CONJUNCTIVE,
        (
            ComponentRule("WRITTEN", Decimal(100), Decimal(60)),
            ComponentRule("ORAL", Decimal(20), Decimal(12)),
        ),
    )

    outcome = evaluate(rule, {"WRITTEN": 90, "ORAL": 11})

    assert not outcome.passed
    assert [(r.code, r.component) for r in outcome.reasons] == [
        (ReasonCode.BELOW_PASS_MARK, "ORAL")
    ]
    assert outcome.reasons[0].message == "Below the pass mark."


def test_an_optional_component_not_taken_does_not_fail_the_candidate() -> None:
    rule = PassRule(
        RuleKind.HYBRID,
        (
            ComponentRule("WRITTEN", Decimal(100), Decimal(60)),
            ComponentRule("PORTFOLIO", Decimal(10), Decimal(5), required=False),
        ),
        Decimal(60),
    )

    outcome = evaluate(rule, {"WRITTEN": 75})

    assert outcome.passed
    assert outcome.components[1].reason.code == ReasonCode.NOT_TAKEN


def test_the_pass_mark_itself_passes() -> None:
    rule = PassRule(RuleKind.CONJUNCTIVE, (ComponentRule("W", Decimal(40), Decimal(28)),))
    assert evaluate(rule, {"W": 28}).passed
    assert not evaluate(rule, {"W": "27.99"}).passed


@pytest.mark.parametrize(
    "scores",
    [{"W": 101}, {"W": -1}, {"W": "abc"}, {"W": float("nan")}, {"UNKNOWN": 3}],
)
def test_impossible_results_are_refused(scores: dict[str, object]) -> None:
    rule = PassRule(RuleKind.CONJUNCTIVE, (ComponentRule("W", Decimal(100), Decimal(50)),))
    with pytest.raises(ValueError, match=r"W|UNKNOWN"):
        evaluate(rule, scores)  # type: ignore[arg-type]


def test_rules_that_cannot_work_are_refused_when_built() -> None:
    with pytest.raises(ValueError, match="pass mark must lie"):
        ComponentRule("W", Decimal(10), Decimal(11))
    with pytest.raises(ValueError, match="needs an overall pass mark"):
        PassRule(RuleKind.COMPENSATORY, (ComponentRule("W", Decimal(10), Decimal(5)),))
    with pytest.raises(ValueError, match="unique"):
        PassRule(
            RuleKind.CONJUNCTIVE,
            (
                ComponentRule("W", Decimal(10), Decimal(5)),
                ComponentRule("W", Decimal(10), Decimal(5)),
            ),
        )
