"""Scoring a candidate's responses against the item versions delivered (9.3: objective scoring).

Pure: the item content (the version the candidate saw), the points the form gives it, the
response, and the psychometrician's decision on the key after validation. Nothing here reads the
database or the clock, so re-scoring after a re-key is the same function with another decision.

* all-or-nothing items (`match_correct`) give their points when the response equals the key;
* partial-credit items (`map_response`) sum the mapped values of what was chosen (one value for
  single-response kinds), within the item's bounds;
* text entry compares trimmed text, ignoring case and repeated spaces; numeric entry compares
  numbers (12.50 equals 12.5);
* an extended response is marked by examiners against the rubric (None here);
* no item ever scores below zero or above its points.

The psychometrician's decision (`KeyDecision`) after key validation: *accept* keeps the key,
*rekey* scores with a corrected key, *credit_all* gives everyone the item's points, *drop*
removes the item from the score and the maximum.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from peritus.exams.delivery.responses import Response
from peritus.itembank.qti.content import InteractionType, ItemContent, ScoringMethod

CENT = Decimal("0.01")
PRECISION = Decimal("0.0001")
ZERO = Decimal(0)


class KeyDecision(enum.StrEnum):
    ACCEPT = "accept"
    REKEY = "rekey"
    CREDIT_ALL = "credit_all"
    DROP = "drop"


@dataclasses.dataclass(frozen=True)
class KeyOverride:
    decision: KeyDecision
    key: tuple[str, ...] = ()  # the corrected key of a re-keyed item


@dataclasses.dataclass(frozen=True)
class ItemScore:
    entry_id: int
    score: Decimal | None  # None: waiting for a rubric mark
    max_score: Decimal  # zero when the item was dropped
    counted: bool  # False when dropped

    @property
    def is_rubric(self) -> bool:
        return self.score is None


def _text(value: str) -> str:
    return " ".join(value.split()).casefold()


def _number(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _same(content: ItemContent, given: str, expected: str) -> bool:
    if content.interaction is InteractionType.TEXT_ENTRY:
        return _text(given) == _text(expected)
    if content.interaction is InteractionType.NUMERIC_ENTRY:
        left, right = _number(given), _number(expected)
        return left is not None and left == right
    return given == expected


def _order_from_positions(content: ItemContent, response: Response) -> tuple[str, ...] | None:
    """The option ids in the candidate's order, or None when the ordering is incomplete."""
    ids = content.option_ids()
    if len(response) != len(ids) or not all(response):
        return None
    by_position = sorted(zip(response, ids, strict=True), key=lambda pair: int(pair[0]))
    if [int(position) for position, _ in by_position] != list(range(1, len(ids) + 1)):
        return None
    return tuple(option for _, option in by_position)


def _selections(content: ItemContent, response: Response) -> tuple[str, ...]:
    """What the response chose, as the key and the partial-credit map name it."""
    if content.interaction is InteractionType.ORDER:
        order = _order_from_positions(content, response)
        return order if order is not None else ()
    return response


def raw_score(content: ItemContent, response: Response, key: Sequence[str] | None = None) -> float:
    """The score on the item's own scale (0 … its max score); `key` replaces the stored key."""
    keyed = tuple(content.key if key is None else key)
    chosen = _selections(content, response)
    scoring = content.scoring
    kind = content.interaction
    if not chosen:
        return 0.0
    if scoring.method is ScoringMethod.MAP_RESPONSE:
        mapping = scoring.mapping
        if kind in (InteractionType.MULTIPLE_RESPONSE, InteractionType.MATCH):
            value = sum(
                next((v for k, v in mapping if k == choice), scoring.default_value)
                for choice in dict.fromkeys(chosen)
            )
        elif kind is InteractionType.ORDER:
            joined = " ".join(chosen)
            value = next((v for k, v in mapping if k == joined), scoring.default_value)
        else:
            value = next(
                (v for k, v in mapping if _same(content, chosen[0], k)), scoring.default_value
            )
        if scoring.upper_bound is not None:
            value = min(value, scoring.upper_bound)
        if scoring.lower_bound is not None:
            value = max(value, scoring.lower_bound)
        return min(max(float(value), 0.0), float(content.max_score))
    if kind in (InteractionType.MULTIPLE_RESPONSE, InteractionType.MATCH):
        right = set(chosen) == set(keyed)
    elif kind is InteractionType.ORDER:
        right = chosen == keyed
    else:
        right = len(chosen) == 1 and any(_same(content, chosen[0], k) for k in keyed)
    return float(scoring.points) if right else 0.0


def score_entry(
    *,
    entry_id: int,
    content: ItemContent,
    points: Decimal,
    response: Response,
    override: KeyOverride | None = None,
    rubric_score: Decimal | None = None,
) -> ItemScore:
    """The score of one delivered item on the form's scale (its `points`)."""
    if override is not None and override.decision is KeyDecision.DROP:
        return ItemScore(entry_id, ZERO, ZERO, counted=False)
    if override is not None and override.decision is KeyDecision.CREDIT_ALL:
        return ItemScore(entry_id, points, points, counted=True)
    if content.interaction is InteractionType.EXTENDED_RESPONSE:
        if rubric_score is None:
            return ItemScore(entry_id, None, points, counted=True)
        return ItemScore(entry_id, min(max(rubric_score, ZERO), points), points, counted=True)
    key = override.key if override is not None and override.decision is KeyDecision.REKEY else None
    item_max = Decimal(str(content.max_score))
    raw = Decimal(str(raw_score(content, response, key)))
    scaled = raw * points / item_max if item_max > 0 else ZERO
    return ItemScore(
        entry_id, min(scaled, points).quantize(PRECISION, ROUND_HALF_UP), points, counted=True
    )


@dataclasses.dataclass(frozen=True)
class DomainScore:
    code: str
    title: str
    score: Decimal
    max_score: Decimal

    @property
    def percent(self) -> Decimal:
        if self.max_score <= 0:
            return ZERO
        return (self.score * 100 / self.max_score).quantize(Decimal(1), ROUND_HALF_UP)


def total(scores: Iterable[ItemScore]) -> tuple[Decimal, Decimal]:
    """(score, maximum) over counted items; raises ValueError while a rubric mark is missing."""
    score = maximum = ZERO
    for item in scores:
        if not item.counted:
            continue
        if item.score is None:
            raise ValueError(f"entry {item.entry_id} waits for its rubric mark")
        score += item.score
        maximum += item.max_score
    return score.quantize(CENT, ROUND_HALF_UP), maximum.quantize(CENT, ROUND_HALF_UP)


def by_domain(
    scores: Iterable[ItemScore], domains: dict[int, tuple[str, str]]
) -> list[DomainScore]:
    """Scores per competence domain (`domains`: entry id → (code, title)), in code order."""
    sums: dict[tuple[str, str], list[Decimal]] = {}
    for item in scores:
        if not item.counted or item.score is None:
            continue
        label = domains.get(item.entry_id, ("", ""))
        acc = sums.setdefault(label, [ZERO, ZERO])
        acc[0] += item.score
        acc[1] += item.max_score
    return [
        DomainScore(code, title, s.quantize(CENT, ROUND_HALF_UP), m.quantize(CENT, ROUND_HALF_UP))
        for (code, title), (s, m) in sorted(sums.items())
    ]


def to_component_scale(
    raw: Decimal, *, maximum: Decimal, cut: Decimal, component_max: Decimal, component_pass: Decimal
) -> Decimal:
    """Map a raw form score onto the component's scale so that the form's cut lands on the
    component's pass mark (piecewise linear): the component passes exactly when raw ≥ cut, and
    parallel forms with different cuts report on one scale."""
    if maximum <= 0:
        return ZERO
    raw = min(max(raw, ZERO), maximum)
    cut = min(max(cut, ZERO), maximum)
    if raw >= cut:
        span = maximum - cut
        above = (raw - cut) / span * (component_max - component_pass) if span > 0 else ZERO
        value = component_pass + above
    else:
        value = raw / cut * component_pass if cut > 0 else ZERO
    # Round down below the pass mark so rounding never turns a fail into a pass.
    if raw < cut:
        return max(min(value.quantize(CENT, ROUND_DOWN), component_pass - CENT), ZERO)
    return value.quantize(CENT, ROUND_HALF_UP)
