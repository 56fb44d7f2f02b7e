"""What a candidate answered, in one canonical form, and the current answers replayed from the log.

A response is a tuple of strings, the same shape for every interaction, so the answer log stores
it as a JSON list and scoring reads it back without guessing:

* single choice, true/false, inline choice: `(option id,)`;
* multiple response: the chosen option ids, in the item's option order;
* ordering: one position per option, in the item's option order (`"2"`, `""` when not given yet),
  so a half-finished ordering survives a reload;
* matching: the chosen pairs `"left right"`, in the order of the left column;
* text entry, numeric entry, extended response: `(text,)`.

The empty tuple is "no answer". Pure: no Django, no database.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence

from peritus.itembank.qti.content import InteractionType, ItemContent

type Response = tuple[str, ...]
type Fields = Mapping[str, Sequence[str]]

RESPONSE_FIELD = "response"
MAX_SHORT_TEXT = 500
NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


class ResponseError(ValueError):
    """The submitted fields are not a possible answer to the item; `code` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def order_field(option_id: str) -> str:
    return f"order-{option_id}"


def match_field(left_id: str) -> str:
    return f"match-{left_id}"


def _values(fields: Fields, name: str) -> list[str]:
    return [value for value in fields.get(name, ()) if value != ""]


def _one(fields: Fields, name: str) -> str | None:
    values = _values(fields, name)
    if len(values) > 1:
        raise ResponseError("one_answer_only", "Give one answer.")
    return values[0] if values else None


def normalise_number(text: str) -> str:
    """A number as typed, with a decimal comma accepted; raises ResponseError otherwise."""
    compact = text.strip().replace(" ", "")
    if not NUMBER.match(compact):
        raise ResponseError("not_a_number", "Enter a number, for example 12.5.")
    return compact.replace(",", ".")


def parse_response(content: ItemContent, fields: Fields, *, max_text: int = 20000) -> Response:
    """The canonical response from posted form fields; raises ResponseError when impossible."""
    kind = content.interaction
    option_ids = content.option_ids()
    if kind in (
        InteractionType.SINGLE_CHOICE,
        InteractionType.TRUE_FALSE,
        InteractionType.INLINE_CHOICE,
    ):
        chosen = _one(fields, RESPONSE_FIELD)
        if chosen is None:
            return ()
        if chosen not in option_ids:
            raise ResponseError("unknown_option", "Choose one of the options shown.")
        return (chosen,)
    if kind is InteractionType.MULTIPLE_RESPONSE:
        chosen_set = set(_values(fields, RESPONSE_FIELD))
        if chosen_set - set(option_ids):
            raise ResponseError("unknown_option", "Choose among the options shown.")
        return tuple(option for option in option_ids if option in chosen_set)
    if kind is InteractionType.ORDER:
        positions: list[str] = []
        for option in option_ids:
            value = _one(fields, order_field(option)) or ""
            if value and (not value.isdigit() or not 1 <= int(value) <= len(option_ids)):
                raise ResponseError(
                    "invalid_position", f"Give positions from 1 to {len(option_ids)}."
                )
            positions.append(str(int(value)) if value else "")
        given = [position for position in positions if position]
        if len(set(given)) != len(given):
            raise ResponseError("position_repeated", "Give each position only once.")
        return tuple(positions) if given else ()
    if kind is InteractionType.MATCH:
        left, right = content.option_ids(0), set(content.option_ids(1))
        pairs: list[str] = []
        for left_id in left:
            chosen = _one(fields, match_field(left_id))
            if chosen is None:
                continue
            if chosen not in right:
                raise ResponseError("unknown_option", "Choose among the options shown.")
            pairs.append(f"{left_id} {chosen}")
        return tuple(pairs)
    if kind in (InteractionType.TEXT_ENTRY, InteractionType.NUMERIC_ENTRY):
        text = (_one(fields, RESPONSE_FIELD) or "").strip()
        if not text:
            return ()
        if len(text) > MAX_SHORT_TEXT:
            raise ResponseError(
                "answer_too_long", f"Keep the answer under {MAX_SHORT_TEXT} characters."
            )
        return (normalise_number(text),) if kind is InteractionType.NUMERIC_ENTRY else (text,)
    if kind is InteractionType.EXTENDED_RESPONSE:
        values = list(fields.get(RESPONSE_FIELD, ()))
        if len(values) > 1:
            raise ResponseError("one_answer_only", "Give one answer.")
        text = values[0].replace("\r\n", "\n").rstrip() if values else ""
        if len(text) > max_text:
            raise ResponseError("answer_too_long", f"Keep the answer under {max_text} characters.")
        return (text,) if text.strip() else ()
    raise ResponseError("unsupported_interaction", "This item cannot be answered online.")


def is_answered(content: ItemContent, response: Response) -> bool:
    """Complete enough to count as answered on the review screen."""
    if not response:
        return False
    if content.interaction is InteractionType.ORDER:
        return all(response)
    if content.interaction is InteractionType.MATCH:
        return len(response) >= len(content.option_ids(0))
    return True


@dataclasses.dataclass(frozen=True)
class LoggedAnswer:
    """One row of the append-only answer log, as the replay needs it."""

    entry_id: int
    sequence: int
    response: Response
    flagged: bool


@dataclasses.dataclass(frozen=True)
class CurrentAnswer:
    response: Response
    flagged: bool
    sequence: int


def replay(log: Iterable[LoggedAnswer]) -> dict[int, CurrentAnswer]:
    """The current answer to each entry: the last one logged (by sequence), whatever the order given."""
    current: dict[int, CurrentAnswer] = {}
    for row in log:
        seen = current.get(row.entry_id)
        if seen is None or row.sequence > seen.sequence:
            current[row.entry_id] = CurrentAnswer(row.response, row.flagged, row.sequence)
    return current
