"""Turning a form's item versions and recorded answers into the engine's input (no database).

Options are lettered A, B, … in the order they have in the item version, as the printed booklet
and answer key letter them (`itembank.pdf`); online delivery gives option identifiers, which are
stored as those letters. Choice items are keyed for the engine (single response; multiple
response all-or-nothing, or partial credit when the item maps responses to scores); every other
interaction is scored by exam delivery or a marker, and the engine gets the whole-number score.

Paper answer sheets are read with the engine's own rules and error codes (`peritus.psychometrics.io`,
`peritus.psychometrics.scoring.parse_selection`), line by line, so the office gets every problem
of a file at once, each with its line number; the engine's reader then checks the file again.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

import numpy as np

from peritus.itembank.qti.content import (
    InteractionType,
    ItemContent,
    ScoringMethod,
    content_from_dict,
)
from peritus.psychometrics import PsychometricsInputError, read_responses
from peritus.psychometrics.scoring import (
    LETTERS,
    ItemKey,
    ItemKind,
    ScoredResponses,
    parse_selection,
)

SINGLE_INTERACTIONS = frozenset(
    {InteractionType.SINGLE_CHOICE, InteractionType.TRUE_FALSE, InteractionType.INLINE_CHOICE}
)
_WHOLE_NUMBER = re.compile(r"^\+?\d+$")
StoredAnswer = str | int
Answer = Sequence[str] | str | int | None


class AnswerError(ValueError):
    """An answer that does not fit the item; `code` is stable (the engine's codes where it has one)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Entry(Protocol):
    position: int
    points: Decimal

    @property
    def item_version(self) -> Any: ...


@dataclasses.dataclass(frozen=True)
class FormItem:
    """One entry of a form as the statistics see it."""

    version_id: int
    identifier: str
    position: int
    points: Decimal
    option_ids: tuple[str, ...]
    key: ItemKey

    @property
    def kind(self) -> ItemKind:
        return self.key.kind

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(LETTERS[: len(self.option_ids)])


def engine_key(identifier: str, content: ItemContent, max_score: Decimal | float) -> ItemKey:
    """The engine's key of one item version (see the module docstring)."""
    option_ids = [option.identifier for option in content.options]
    letters = {identifier: LETTERS[n] for n, identifier in enumerate(option_ids)}
    if content.interaction in SINGLE_INTERACTIONS or (
        content.interaction is InteractionType.MULTIPLE_RESPONSE
    ):
        correct = frozenset(letters[value] for value in content.key if value in letters)
        options = tuple(LETTERS[: len(option_ids)])
        if content.interaction is InteractionType.MULTIPLE_RESPONSE:
            partial = content.scoring.method is ScoringMethod.MAP_RESPONSE
            return ItemKey(
                item_id=identifier,
                kind=ItemKind.MULTIPLE,
                correct=correct,
                options=options,
                max_score=len(correct) if partial else 1,
                multiple_response_scoring="partial" if partial else "all_or_nothing",
            )
        return ItemKey(item_id=identifier, kind=ItemKind.SINGLE, correct=correct, options=options)
    return ItemKey(
        item_id=identifier, kind=ItemKind.SCORED, max_score=max(1, math.ceil(float(max_score)))
    )


def form_items(entries: Iterable[_Entry]) -> list[FormItem]:
    """The form's entries (with `item_version__item` loaded) in position order."""
    items = []
    for entry in sorted(entries, key=lambda e: e.position):
        version = entry.item_version
        content = content_from_dict(version.content)
        identifier = version.item.identifier
        items.append(
            FormItem(
                version_id=version.pk,
                identifier=identifier,
                position=entry.position,
                points=entry.points,
                option_ids=tuple(option.identifier for option in content.options),
                key=engine_key(identifier, content, version.max_score),
            )
        )
    return items


def stored_answer(item: FormItem, answer: Answer) -> StoredAnswer | None:
    """What is kept for one answer given by exam delivery: option letters, a score, or None."""
    if answer is None or answer == "" or (isinstance(answer, (list, tuple)) and not answer):
        return None
    if item.kind is ItemKind.SCORED:
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise AnswerError(
                "score_expected", f"item {item.identifier}: give a whole-number score"
            )
        if not 0 <= answer <= item.key.max_score:
            raise AnswerError(
                "score_out_of_range",
                f"item {item.identifier}: score {answer} is outside 0-{item.key.max_score}",
            )
        return answer
    if isinstance(answer, int):
        raise AnswerError(
            "selection_expected", f"item {item.identifier}: give the selected option(s)"
        )
    selected = [answer] if isinstance(answer, str) else list(answer)
    letters = []
    for identifier in selected:
        if identifier not in item.option_ids:
            raise AnswerError(
                "unknown_option",
                f"item {item.identifier}: {identifier!r} is not one of its options",
            )
        letters.append(LETTERS[item.option_ids.index(identifier)])
    if len(set(letters)) != len(letters):
        raise AnswerError("unknown_option", f"item {item.identifier}: an option is given twice")
    if item.kind is ItemKind.SINGLE and len(letters) > 1:
        raise AnswerError(
            "single_response", f"item {item.identifier}: only one option may be selected"
        )
    return "".join(sorted(letters))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def scored_responses(
    items: Sequence[FormItem], rows: Sequence[tuple[str, Mapping[str, Any]]]
) -> ScoredResponses:
    """Score stored answers with the engine: `rows` are (candidate id, answers by version id)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["candidate_id", *(item.identifier for item in items)])
    for candidate, answers in rows:
        writer.writerow([candidate, *(_cell(answers.get(str(item.version_id))) for item in items)])
    buffer.seek(0)
    keys = {item.identifier: item.key for item in items}
    return read_responses(buffer, key=keys)


def points_weights(items: Sequence[FormItem], responses: ScoredResponses) -> np.ndarray[Any, Any]:
    """Per item, the form points one engine score point is worth."""
    maxima = responses.max_scores.astype(np.float64)
    points = np.array([float(item.points) for item in items], dtype=np.float64)
    weights: np.ndarray[Any, Any] = points / maxima
    return weights


def form_totals(items: Sequence[FormItem], responses: ScoredResponses) -> np.ndarray[Any, Any]:
    """Each candidate's total on the form's points scale (the scale of the pass mark)."""
    totals: np.ndarray[Any, Any] = responses.scores.astype(np.float64) @ points_weights(
        items, responses
    )
    return totals


# --------------------------------------------------------------------------------------------
# Paper answer sheets
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SheetProblem:
    line: int | None
    code: str
    message: str


@dataclasses.dataclass(frozen=True)
class AnswerSheets:
    """Candidates' answers read from a file (candidate code, {version id: stored answer})."""

    candidates: list[tuple[str, dict[str, StoredAnswer]]]
    problems: list[SheetProblem]


def _decode(data: bytes) -> tuple[str | None, SheetProblem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, SheetProblem(line, "encoding", "the file is not valid UTF-8")


def _header_problems(header: list[str], items: Sequence[FormItem]) -> list[SheetProblem]:
    problems = []
    if not header or header[0].lower() != "candidate_id":
        problems.append(
            SheetProblem(1, "bad_header", "the first column of the header must be candidate_id")
        )
        return problems
    known = {item.identifier for item in items}
    seen: set[str] = set()
    for name in header[1:]:
        if not name:
            problems.append(SheetProblem(1, "empty_item_id", "the header has an empty item id"))
        elif name in seen:
            problems.append(
                SheetProblem(1, "duplicate_item", f"item {name!r} appears twice in the header")
            )
        elif name not in known:
            problems.append(
                SheetProblem(1, "item_not_on_form", f"item {name!r} is not on this form")
            )
        seen.add(name)
    for item in items:
        if item.identifier not in seen:
            problems.append(
                SheetProblem(
                    1, "missing_item", f"item {item.identifier!r} of the form has no column"
                )
            )
    return problems


def _read_cell(item: FormItem, token: str) -> StoredAnswer | None:
    if token == "":
        return None
    if item.kind is ItemKind.SCORED:
        if not _WHOLE_NUMBER.match(token):
            raise AnswerError(
                "non_numeric", f"item {item.identifier!r}: {token!r} is not a whole-number score"
            )
        value = int(token)
        if value > item.key.max_score:
            raise AnswerError(
                "score_out_of_range",
                f"item {item.identifier!r}: score {value} is above the maximum "
                f"{item.key.max_score}",
            )
        return value
    try:
        mask = parse_selection(token, item.letters, multiple=item.kind is ItemKind.MULTIPLE)
    except ValueError as error:
        raise AnswerError("unknown_option", f"item {item.identifier!r}: {error}") from None
    return "".join(letter for n, letter in enumerate(LETTERS) if mask & (1 << n))


def read_answer_sheets(
    data: bytes, items: Sequence[FormItem], *, max_problems: int = 50
) -> AnswerSheets:
    """Read `candidate_id,<item identifier>,…` with option letters (scores for scored items).

    Every problem is reported with its line and the engine's code, up to `max_problems`; a file
    with any problem yields no candidates.
    """
    text, problem = _decode(data)
    if text is None:
        return AnswerSheets([], [problem] if problem else [])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as error:
        return AnswerSheets(
            [], [SheetProblem(reader.line_num, "csv_syntax", f"malformed CSV ({error})")]
        )
    while rows and not any(cell.strip() for cell in rows[-1][1]):
        rows.pop()
    if not rows:
        return AnswerSheets([], [SheetProblem(None, "empty_file", "the responses file is empty")])
    header = [cell.strip() for cell in rows[0][1]]
    problems = _header_problems(header, items)
    if problems:
        return AnswerSheets([], problems[:max_problems])
    if len(rows) == 1:
        return AnswerSheets(
            [], [SheetProblem(None, "no_candidates", "the file has a header but no candidates")]
        )
    by_identifier = {item.identifier: item for item in items}
    columns = [by_identifier[name] for name in header[1:]]
    candidates: list[tuple[str, dict[str, StoredAnswer]]] = []
    first_line: dict[str, int] = {}
    for line, row in rows[1:]:
        if len(problems) >= max_problems:
            break
        if len(row) != len(header):
            problems.append(
                SheetProblem(
                    line,
                    "ragged_row",
                    f"expected {len(header)} cells as in the header, found {len(row)}",
                )
            )
            continue
        candidate = row[0].strip()
        if not candidate:
            problems.append(SheetProblem(line, "empty_candidate_id", "empty candidate_id"))
            continue
        if len(candidate) > 64:
            problems.append(
                SheetProblem(
                    line, "candidate_id_too_long", "a candidate_id has at most 64 characters"
                )
            )
            continue
        if candidate in first_line:
            problems.append(
                SheetProblem(
                    line,
                    "duplicate_candidate",
                    f"candidate {candidate!r} appears twice (first on line {first_line[candidate]})",
                )
            )
            continue
        first_line[candidate] = line
        answers: dict[str, StoredAnswer] = {}
        for item, cell in zip(columns, row[1:], strict=True):
            try:
                value = _read_cell(item, cell.strip())
            except AnswerError as error:
                problems.append(SheetProblem(line, error.code, error.message))
                if len(problems) >= max_problems:
                    break
                continue
            if value is not None:
                answers[str(item.version_id)] = value
        candidates.append((candidate, answers))
    if problems:
        return AnswerSheets([], problems[:max_problems])
    try:  # the engine's reader is the last word on the file
        read_responses(io.StringIO(text), key={item.identifier: item.key for item in items})
    except PsychometricsInputError as error:
        return AnswerSheets([], [SheetProblem(error.line, error.code, error.message)])
    return AnswerSheets(candidates, [])
