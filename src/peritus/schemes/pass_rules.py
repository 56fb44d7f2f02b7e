"""Combining assessment component results into one outcome (clause 8, 9.3).

Pure: no database, no clock. `evaluate(rule, component_results)` takes the scheme version's rule
(see `schemes.selectors.get_pass_rule`) and the scores by component code, and says whether the
candidate passed, the weighted total, and why each component passed or failed.

Rules
* conjunctive — every required component must reach its own pass mark (no compensation).
* compensatory — the weighted percentage over the components taken must reach the overall pass
  mark; a strong component makes up for a weak one. Every required component must still be taken.
* hybrid — both of the above.

A component that is not required need not be taken; when taken it counts in the weighted total,
and its own pass mark does not decide the outcome.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)
CENT = Decimal("0.01")

type Score = Decimal | int | float | str | None


class RuleKind(StrEnum):
    CONJUNCTIVE = "conjunctive"
    COMPENSATORY = "compensatory"
    HYBRID = "hybrid"


class ReasonCode(StrEnum):
    PASSED = "passed"
    BELOW_PASS_MARK = "below_pass_mark"  # noqa: S105 - a pass mark, not a password
    MISSING = "missing"
    NOT_TAKEN = "not_taken"  # an optional component nobody sat
    TOTAL_BELOW_PASS_MARK = "total_below_pass_mark"  # noqa: S105 - a pass mark, not a password
    NO_WEIGHTED_RESULT = "no_weighted_result"


REASON_TEXT: dict[ReasonCode, Promise] = {
    ReasonCode.PASSED: _("Reached the pass mark."),
    ReasonCode.BELOW_PASS_MARK: _("Below the pass mark."),
    ReasonCode.MISSING: _("A required component has no result yet."),
    ReasonCode.NOT_TAKEN: _("Optional component not taken."),
    ReasonCode.TOTAL_BELOW_PASS_MARK: _("The weighted total is below the overall pass mark."),
    ReasonCode.NO_WEIGHTED_RESULT: _("No weighted result: no component with a weight was taken."),
}


@dataclasses.dataclass(frozen=True)
class ComponentRule:
    """One assessment component as the rule sees it."""

    code: str
    max_score: Decimal
    pass_mark: Decimal
    weight: Decimal = Decimal(1)
    required: bool = True

    def __post_init__(self) -> None:
        if self.max_score <= 0:
            raise ValueError(f"{self.code}: the maximum score must be positive")
        if not Decimal(0) <= self.pass_mark <= self.max_score:
            raise ValueError(f"{self.code}: the pass mark must lie between 0 and the maximum")
        if self.weight < 0:
            raise ValueError(f"{self.code}: the weight cannot be negative")


@dataclasses.dataclass(frozen=True)
class PassRule:
    kind: RuleKind
    components: tuple[ComponentRule, ...]
    overall_pass_percent: Decimal | None = None

    def __post_init__(self) -> None:
        codes = [component.code for component in self.components]
        if len(codes) != len(set(codes)):
            raise ValueError("component codes must be unique")
        if self.kind != RuleKind.CONJUNCTIVE:
            if self.overall_pass_percent is None:
                raise ValueError(f"a {self.kind} rule needs an overall pass mark")
            if not Decimal(0) <= self.overall_pass_percent <= HUNDRED:
                raise ValueError("the overall pass mark is a percentage between 0 and 100")


@dataclasses.dataclass(frozen=True)
class Reason:
    code: ReasonCode
    component: str | None = None

    @property
    def message(self) -> str:
        return str(REASON_TEXT[self.code])


@dataclasses.dataclass(frozen=True)
class ComponentOutcome:
    code: str
    score: Decimal | None
    percent: Decimal | None  # score as a percentage of the maximum, rounded to 0.01
    passed: bool  # reached its own pass mark
    reason: Reason


@dataclasses.dataclass(frozen=True)
class Outcome:
    passed: bool
    complete: bool  # every required component has a result
    total: Decimal | None  # weighted percentage over the components taken, rounded to 0.01
    components: tuple[ComponentOutcome, ...]
    reasons: tuple[Reason, ...]  # why it failed (empty when passed)


def _as_decimal(code: str, value: Score) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{code}: {value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{code}: the score must be a finite number")
    return number


def evaluate(rule: PassRule, component_results: Mapping[str, Score]) -> Outcome:
    """The outcome of `component_results` (score by component code; None or absent: no result)."""
    known = {component.code for component in rule.components}
    unknown = set(component_results) - known
    if unknown:
        raise ValueError(f"results for unknown components: {', '.join(sorted(unknown))}")

    outcomes: list[ComponentOutcome] = []
    weighted = Decimal(0)
    weights = Decimal(0)
    complete = True
    for component in rule.components:
        score = _as_decimal(component.code, component_results.get(component.code))
        if score is None:
            if component.required:
                complete = False
                reason = Reason(ReasonCode.MISSING, component.code)
            else:
                reason = Reason(ReasonCode.NOT_TAKEN, component.code)
            outcomes.append(ComponentOutcome(component.code, None, None, False, reason))
            continue
        if not Decimal(0) <= score <= component.max_score:
            raise ValueError(f"{component.code}: the score must lie between 0 and the maximum")
        fraction = score / component.max_score
        passed = score >= component.pass_mark
        reason = Reason(ReasonCode.PASSED if passed else ReasonCode.BELOW_PASS_MARK, component.code)
        outcomes.append(
            ComponentOutcome(
                component.code, score, (fraction * HUNDRED).quantize(CENT), passed, reason
            )
        )
        weighted += component.weight * fraction
        weights += component.weight

    reasons: list[Reason] = [
        item.reason
        for item, component in zip(outcomes, rule.components, strict=True)
        if component.required and not item.passed and rule.kind != RuleKind.COMPENSATORY
    ]
    if rule.kind == RuleKind.COMPENSATORY:
        reasons.extend(item.reason for item in outcomes if item.reason.code == ReasonCode.MISSING)

    exact_total = weighted / weights * HUNDRED if weights > 0 else None
    if rule.kind != RuleKind.CONJUNCTIVE:
        assert rule.overall_pass_percent is not None  # checked when the rule was built
        if exact_total is None:
            reasons.append(Reason(ReasonCode.NO_WEIGHTED_RESULT))
        elif exact_total < rule.overall_pass_percent:
            reasons.append(Reason(ReasonCode.TOTAL_BELOW_PASS_MARK))

    return Outcome(
        passed=complete and not reasons,
        complete=complete,
        total=exact_total.quantize(CENT) if exact_total is not None else None,
        components=tuple(outcomes),
        reasons=tuple(reasons),
    )
