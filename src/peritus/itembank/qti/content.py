"""The content of one item version, independent of storage and of the QTI version.

`ItemContent` is what an item version stores (as JSON) and what QTI import and export translate
to and from. It is pure data: no Django, no I/O, so the round trip can be proved by hypothesis.

The stem, the prompt and option texts are canonical XHTML fragments in a small, safe subset
(`markup.py`); inline interactions (text entry, inline choice) sit where the stem holds `<gap/>`.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from typing import Any


class InteractionType(enum.StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_RESPONSE = "multiple_response"
    TRUE_FALSE = "true_false"
    TEXT_ENTRY = "text_entry"
    INLINE_CHOICE = "inline_choice"
    ORDER = "order"
    MATCH = "match"
    NUMERIC_ENTRY = "numeric_entry"
    EXTENDED_RESPONSE = "extended_response"


# The QTI interaction each of ours becomes (the names the import report uses).
QTI_INTERACTION = {
    InteractionType.SINGLE_CHOICE: "choiceInteraction",
    InteractionType.MULTIPLE_RESPONSE: "choiceInteraction",
    InteractionType.TRUE_FALSE: "choiceInteraction",
    InteractionType.TEXT_ENTRY: "textEntryInteraction",
    InteractionType.INLINE_CHOICE: "inlineChoiceInteraction",
    InteractionType.ORDER: "orderInteraction",
    InteractionType.MATCH: "matchInteraction",
    InteractionType.NUMERIC_ENTRY: "textEntryInteraction",
    InteractionType.EXTENDED_RESPONSE: "extendedTextInteraction",
}
INLINE_INTERACTIONS = frozenset({InteractionType.TEXT_ENTRY, InteractionType.INLINE_CHOICE,
                                 InteractionType.NUMERIC_ENTRY})  # fmt: skip
CHOICE_INTERACTIONS = frozenset(
    {
        InteractionType.SINGLE_CHOICE,
        InteractionType.MULTIPLE_RESPONSE,
        InteractionType.TRUE_FALSE,
        InteractionType.INLINE_CHOICE,
        InteractionType.ORDER,
        InteractionType.MATCH,
    }
)
TRUE_FALSE_IDENTIFIERS = ("true", "false")
GAP = "<gap/>"


class ScoringMethod(enum.StrEnum):
    MATCH_CORRECT = "match_correct"  # all or nothing: `points` when the response equals the key
    MAP_RESPONSE = "map_response"  # partial credit: the sum of the mapped values, within bounds
    RUBRIC = "rubric"  # marked by a person against the rubric, out of `points`


@dataclasses.dataclass(frozen=True)
class Option:
    identifier: str
    text: str  # canonical inline fragment
    rationale: str = ""  # why this option is right or wrong (never shown to candidates)
    match_set: int = 0  # match interactions: 0 = the left column, 1 = the right column


@dataclasses.dataclass(frozen=True)
class Scoring:
    method: ScoringMethod = ScoringMethod.MATCH_CORRECT
    points: float = 1.0
    mapping: tuple[tuple[str, float], ...] = ()
    default_value: float = 0.0
    lower_bound: float | None = None
    upper_bound: float | None = None


@dataclasses.dataclass(frozen=True)
class ItemContent:
    interaction: InteractionType
    stem: str
    prompt: str = ""
    options: tuple[Option, ...] = ()
    key: tuple[str, ...] = ()
    scoring: Scoring = dataclasses.field(default_factory=Scoring)
    rubric: str = ""
    shuffle: bool = False
    expected_length: int | None = None
    stimulus: str = ""  # identifier of a shared stimulus in the same bank

    @property
    def qti_interaction(self) -> str:
        return QTI_INTERACTION[self.interaction]

    @property
    def max_score(self) -> float:
        return max_score_of(self)

    def option_ids(self, match_set: int | None = None) -> list[str]:
        return [o.identifier for o in self.options if match_set is None or o.match_set == match_set]


class ContentError(ValueError):
    """The content breaks a rule of form; `code` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def max_score_of(content: ItemContent) -> float:
    """The most a candidate can score on the item."""
    scoring = content.scoring
    if scoring.method is not ScoringMethod.MAP_RESPONSE:
        return scoring.points
    values = [value for _, value in scoring.mapping]
    single = content.interaction in {
        InteractionType.SINGLE_CHOICE,
        InteractionType.TRUE_FALSE,
        InteractionType.INLINE_CHOICE,
        InteractionType.TEXT_ENTRY,
        InteractionType.NUMERIC_ENTRY,
    }
    best = max([scoring.default_value, *values]) if single else sum(v for v in values if v > 0)
    if scoring.upper_bound is not None:
        best = min(best, scoring.upper_bound)
    if scoring.lower_bound is not None:
        best = max(best, scoring.lower_bound)
    return float(best)


def _is_identifier(value: str) -> bool:
    # QTI identifiers are XML NCNames; we accept the common subset.
    if not value or not (value[0].isalpha() or value[0] == "_"):
        return False
    return all(ch.isalnum() or ch in "_-." for ch in value) and len(value) <= 64


def validate_content(content: ItemContent) -> ItemContent:
    """Raise `ContentError` unless the content is a complete, scorable item."""
    kind = content.interaction
    if not content.stem.strip() and not content.prompt.strip():
        raise ContentError("stem_required", "The item needs a stem or a prompt.")
    ids = [o.identifier for o in content.options]
    if len(set(ids)) != len(ids):
        raise ContentError("duplicate_option", "Two options share an identifier.")
    for identifier in ids:
        if not _is_identifier(identifier):
            raise ContentError(
                "invalid_identifier", f"Option identifier {identifier!r} is not valid."
            )
    if kind in INLINE_INTERACTIONS and content.stem.count(GAP) != 1:
        raise ContentError(
            "gap_required", "An inline interaction needs exactly one gap in the stem."
        )
    if kind not in INLINE_INTERACTIONS and GAP in content.stem:
        raise ContentError("unexpected_gap", "Only inline interactions have a gap in the stem.")
    if kind in CHOICE_INTERACTIONS and len(ids) < 2:
        raise ContentError("too_few_options", "The item needs at least two options.")
    if kind not in CHOICE_INTERACTIONS and ids:
        raise ContentError("unexpected_options", "This interaction has no options.")
    if kind is InteractionType.TRUE_FALSE and tuple(sorted(ids)) != ("false", "true"):
        raise ContentError(
            "true_false_options", "A true/false item has the options true and false."
        )
    key = content.key
    if kind is InteractionType.EXTENDED_RESPONSE:
        if key:
            raise ContentError("unexpected_key", "An extended response is marked by rubric.")
        if content.scoring.method is not ScoringMethod.RUBRIC:
            raise ContentError("rubric_scoring", "An extended response is scored by rubric.")
    elif content.scoring.method is ScoringMethod.RUBRIC:
        raise ContentError("rubric_scoring", "Only extended responses are scored by rubric.")
    elif not key:
        raise ContentError("key_required", "The item needs its key.")
    single = {InteractionType.SINGLE_CHOICE, InteractionType.TRUE_FALSE,
              InteractionType.INLINE_CHOICE, InteractionType.NUMERIC_ENTRY,
              InteractionType.TEXT_ENTRY}  # fmt: skip
    if kind in single and len(key) != 1:
        raise ContentError("single_key", "This interaction has exactly one correct response.")
    if kind in {InteractionType.SINGLE_CHOICE, InteractionType.TRUE_FALSE,
                InteractionType.INLINE_CHOICE, InteractionType.MULTIPLE_RESPONSE}:  # fmt: skip
        unknown = [value for value in key if value not in ids]
        if unknown:
            raise ContentError("key_not_an_option", f"The key names unknown options: {unknown}.")
        if len(set(key)) != len(key):
            raise ContentError("duplicate_key", "The key repeats an option.")
    if kind is InteractionType.ORDER and sorted(key) != sorted(ids):
        raise ContentError("order_key", "The key of an ordering item lists every option once.")
    if kind is InteractionType.MATCH:
        left, right = content.option_ids(0), content.option_ids(1)
        if not left or not right:
            raise ContentError("match_sets", "A matching item needs options in both columns.")
        for pair in key:
            parts = pair.split(" ")
            if len(parts) != 2 or parts[0] not in left or parts[1] not in right:
                raise ContentError(
                    "match_key", f"{pair!r} does not pair a left and a right option."
                )
        if len(set(key)) != len(key):
            raise ContentError("duplicate_key", "The key repeats a pair.")
    if kind is InteractionType.NUMERIC_ENTRY:
        for value in key:
            try:
                number = float(value)
            except ValueError:
                raise ContentError("numeric_key", f"{value!r} is not a number.") from None
            if not math.isfinite(number):
                raise ContentError("numeric_key", f"{value!r} is not a finite number.")
    scoring = content.scoring
    if not (math.isfinite(scoring.points) and 0 < scoring.points <= 1000):
        raise ContentError("points", "Points must be above 0 and at most 1000.")
    if scoring.method is ScoringMethod.MAP_RESPONSE:
        if not scoring.mapping:
            raise ContentError("mapping_required", "Partial credit needs a value per response.")
        keys = [k for k, _ in scoring.mapping]
        if len(set(keys)) != len(keys):
            raise ContentError("duplicate_mapping", "The partial-credit map repeats a response.")
        if max_score_of(content) <= 0:
            raise ContentError("points", "The partial-credit map gives no positive score.")
    if content.expected_length is not None and not 0 < content.expected_length <= 10000:
        raise ContentError("expected_length", "The expected length is out of range.")
    return content


# JSON ----------------------------------------------------------------------------------------


def content_to_dict(content: ItemContent) -> dict[str, Any]:
    return {
        "interaction": content.interaction.value,
        "stem": content.stem,
        "prompt": content.prompt,
        "options": [dataclasses.asdict(option) for option in content.options],
        "key": list(content.key),
        "scoring": {
            "method": content.scoring.method.value,
            "points": content.scoring.points,
            "mapping": [[k, v] for k, v in content.scoring.mapping],
            "default_value": content.scoring.default_value,
            "lower_bound": content.scoring.lower_bound,
            "upper_bound": content.scoring.upper_bound,
        },
        "rubric": content.rubric,
        "shuffle": content.shuffle,
        "expected_length": content.expected_length,
        "stimulus": content.stimulus,
    }


def content_from_dict(data: Mapping[str, Any]) -> ItemContent:
    scoring = data.get("scoring") or {}
    return ItemContent(
        interaction=InteractionType(data["interaction"]),
        stem=str(data.get("stem", "")),
        prompt=str(data.get("prompt", "")),
        options=tuple(
            Option(
                identifier=str(o["identifier"]),
                text=str(o.get("text", "")),
                rationale=str(o.get("rationale", "")),
                match_set=int(o.get("match_set", 0)),
            )
            for o in data.get("options", [])
        ),
        key=tuple(str(v) for v in data.get("key", [])),
        scoring=Scoring(
            method=ScoringMethod(scoring.get("method", ScoringMethod.MATCH_CORRECT)),
            points=float(scoring.get("points", 1.0)),
            mapping=tuple((str(k), float(v)) for k, v in scoring.get("mapping", [])),
            default_value=float(scoring.get("default_value", 0.0)),
            lower_bound=_optional_float(scoring.get("lower_bound")),
            upper_bound=_optional_float(scoring.get("upper_bound")),
        ),
        rubric=str(data.get("rubric", "")),
        shuffle=bool(data.get("shuffle", False)),
        expected_length=(
            int(data["expected_length"]) if data.get("expected_length") is not None else None
        ),
        stimulus=str(data.get("stimulus", "")),
    )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
