"""Reading response, key and group files, with strict validation.

Formats (UTF-8, a byte-order mark is allowed, comma-separated, RFC 4180 quoting):

**Responses** — header ``candidate_id,<item_id>,…``; one row per candidate. Without a key file
every cell is a whole-number score (0/1 for dichotomous items; an item whose largest score is
above 1 is a partial-credit item with that maximum). With a key file, cells of keyed items hold
the selected option letter(s) and cells of ``SCORED`` items hold whole-number scores. An empty
cell is an omitted response.

**Key** — header with at least ``item_id,key``; optional columns ``options`` (the number of
options, or the letters ``ABCD…``), ``max_score`` (for ``SCORED`` items) and ``scoring``
(``all_or_nothing`` or ``partial`` for multiple-response items). Other columns are ignored, so a
key exported with metadata (domain, author) reads as is. ``key`` is one letter (single
response), several letters separated by ``;`` (multiple response) or the word ``SCORED``.
Options are the letters ``A``… in order. When ``options`` is absent they run from ``A`` to the
highest letter seen in the key or the responses for that item.

**Groups** (for DIF) — header ``candidate_id,group``.

Any breach raises :class:`PsychometricsInputError` with a stable ``code`` and the line number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from peritus.psychometrics.errors import PsychometricsInputError
from peritus.psychometrics.scoring import (
    LETTERS,
    ItemKey,
    ItemKind,
    MultipleResponseScoring,
    ScoredResponses,
    not_reached_mask,
    options_up_to,
    parse_selection,
    score_selections,
    selection_dtype,
    smallest_int_dtype,
)

__all__ = [
    "PsychometricsInputError",
    "parse_key",
    "parse_responses",
    "read_groups",
    "read_key",
    "read_responses",
]

Source = str | Path | IO[str]
_INTEGER = re.compile(r"^\+?\d+$")
_SIGNED_INTEGER = re.compile(r"^[+-]?\d+$")
_SCORED_WORD = "SCORED"
_MAX_CELL_SCORE = 10_000


@dataclass(frozen=True)
class _Table:
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    name: str


def _open_text(source: Source) -> tuple[str, str]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise PsychometricsInputError(
                "file_not_found", "file not found", source=str(path)
            ) from None
        except OSError as exc:
            raise PsychometricsInputError(
                "unreadable", f"cannot read the file ({exc.strerror})", source=str(path)
            ) from None
        try:
            return raw.decode("utf-8-sig"), str(path)
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise PsychometricsInputError(
                "encoding", "the file is not valid UTF-8", line=line, source=str(path)
            ) from None
    text = source.read()
    name = getattr(source, "name", "<stream>")
    return text.removeprefix("\ufeff"), str(name)


def _read_table(source: Source, what: str) -> _Table:
    text, name = _open_text(source)
    if not text.strip():
        raise PsychometricsInputError("empty_file", f"the {what} file is empty", source=name)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise PsychometricsInputError(
            "csv_syntax", f"malformed CSV ({exc})", line=reader.line_num, source=name
        ) from None
    # Spreadsheet exports often end with blank lines; blank lines inside the data are errors.
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
        lines.pop()
    if not rows:
        raise PsychometricsInputError("empty_file", f"the {what} file is empty", source=name)
    header = [cell.strip() for cell in rows[0]]
    return _Table(header=header, rows=rows[1:], lines=lines[1:], name=name)


def _check_rectangular(table: _Table) -> None:
    width = len(table.header)
    for row, line in zip(table.rows, table.lines, strict=True):
        if len(row) != width:
            raise PsychometricsInputError(
                "ragged_row",
                f"expected {width} cells as in the header, found {len(row)}",
                line=line,
                source=table.name,
            )


def _column_index(header: Sequence[str], wanted: str) -> int | None:
    lowered = [cell.lower() for cell in header]
    return lowered.index(wanted) if wanted in lowered else None


def _parse_options(cell: str, line: int, name: str, item_id: str) -> tuple[str, ...] | None:
    text = cell.strip().upper()
    if not text:
        return None
    if text.isdigit():
        count = int(text)
        if not 2 <= count <= len(LETTERS):
            raise PsychometricsInputError(
                "bad_options",
                f"item {item_id!r}: the number of options must be 2 to {len(LETTERS)}",
                line=line,
                source=name,
            )
        return tuple(LETTERS[:count])
    letters = text.replace(";", "").replace("|", "").replace(" ", "")
    if not letters.isalpha() or letters != LETTERS[: len(letters)] or len(letters) < 2:
        raise PsychometricsInputError(
            "bad_options",
            f"item {item_id!r}: options must be the letters A, B, … in order (got {cell!r})",
            line=line,
            source=name,
        )
    return tuple(letters)


def parse_key(source: Source) -> dict[str, ItemKey]:
    """Read a key file (see the module docstring) into ``{item_id: ItemKey}``.

    Options that are not declared are provisionally A…Z here; :func:`read_responses` narrows
    them to the letters actually used.
    """
    table = _read_table(source, "key")
    item_col = _column_index(table.header, "item_id")
    key_col = _column_index(table.header, "key")
    if item_col is None or key_col is None:
        raise PsychometricsInputError(
            "bad_header",
            "the key file needs the columns item_id and key",
            line=1,
            source=table.name,
        )
    options_col = _column_index(table.header, "options")
    max_col = _column_index(table.header, "max_score")
    scoring_col = _column_index(table.header, "scoring")
    _check_rectangular(table)
    if not table.rows:
        raise PsychometricsInputError("no_items", "the key file lists no items", source=table.name)
    keys: dict[str, ItemKey] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        item_id = row[item_col].strip()
        if not item_id:
            raise PsychometricsInputError(
                "empty_item_id", "empty item_id", line=line, source=table.name
            )
        if item_id in keys:
            raise PsychometricsInputError(
                "duplicate_item", f"item {item_id!r} appears twice", line=line, source=table.name
            )
        raw_key = row[key_col].strip().upper()
        declared = (
            _parse_options(row[options_col], line, table.name, item_id)
            if options_col is not None
            else None
        )
        max_text = row[max_col].strip() if max_col is not None else ""
        scoring_text = row[scoring_col].strip().lower() if scoring_col is not None else ""
        if raw_key == _SCORED_WORD:
            if not _INTEGER.match(max_text or "1") or int(max_text or "1") < 1:
                raise PsychometricsInputError(
                    "bad_max_score",
                    f"item {item_id!r}: max_score must be a whole number of at least 1",
                    line=line,
                    source=table.name,
                )
            keys[item_id] = ItemKey(
                item_id=item_id, kind=ItemKind.SCORED, max_score=int(max_text or "1")
            )
            continue
        letters = raw_key.replace(";", " ").replace("|", " ").replace(",", " ").split()
        if len(letters) == 1 and len(letters[0]) > 1:
            letters = list(letters[0])
        if not letters or any(len(x) != 1 or x not in LETTERS for x in letters):
            raise PsychometricsInputError(
                "bad_key",
                f"item {item_id!r}: the key must be option letters or SCORED (got {row[key_col]!r})",
                line=line,
                source=table.name,
            )
        if len(set(letters)) != len(letters):
            raise PsychometricsInputError(
                "bad_key",
                f"item {item_id!r}: the key repeats an option",
                line=line,
                source=table.name,
            )
        options = declared if declared is not None else tuple(LETTERS)
        outside = [x for x in letters if x not in options]
        if outside:
            raise PsychometricsInputError(
                "bad_key",
                f"item {item_id!r}: keyed option {outside[0]} is not among the options",
                line=line,
                source=table.name,
            )
        multiple = len(letters) > 1
        scoring: MultipleResponseScoring = "all_or_nothing"
        if scoring_text in ("", "all_or_nothing"):
            scoring = "all_or_nothing"
        elif scoring_text == "partial":
            scoring = "partial"
        else:
            raise PsychometricsInputError(
                "bad_scoring",
                f"item {item_id!r}: scoring must be all_or_nothing or partial",
                line=line,
                source=table.name,
            )
        max_score = len(letters) if multiple and scoring == "partial" else 1
        keys[item_id] = ItemKey(
            item_id=item_id,
            kind=ItemKind.MULTIPLE if multiple else ItemKind.SINGLE,
            correct=frozenset(letters),
            options=options if declared is not None else (),
            max_score=max_score,
            multiple_response_scoring=scoring,
        )
    return keys


read_key = parse_key


def _first_line(inverse: npt.NDArray[np.intp], index: int, lines: Sequence[int]) -> int:
    return lines[int(np.flatnonzero(inverse == index)[0])]


def _parse_score_column(
    column: npt.NDArray[np.str_],
    *,
    item_id: str,
    max_score: int | None,
    lines: Sequence[int],
    name: str,
    keyed: bool,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    uniques, inverse = np.unique(column, return_inverse=True)
    values = np.zeros(len(uniques), dtype=np.int64)
    empty = np.zeros(len(uniques), dtype=np.bool_)
    for index, token in enumerate(uniques.tolist()):
        if token == "":
            empty[index] = True
            continue
        if not _SIGNED_INTEGER.match(token):
            hint = " (cells hold options: give a key file)" if token.isalpha() and not keyed else ""
            raise PsychometricsInputError(
                "non_numeric",
                f"item {item_id!r}: {token!r} is not a whole-number score{hint}",
                line=_first_line(inverse, index, lines),
                source=name,
            )
        value = int(token)
        limit = max_score if max_score is not None else _MAX_CELL_SCORE
        if value < 0:
            raise PsychometricsInputError(
                "score_out_of_range",
                f"item {item_id!r}: score {value} is negative",
                line=_first_line(inverse, index, lines),
                source=name,
            )
        if value > limit:
            raise PsychometricsInputError(
                "score_out_of_range",
                f"item {item_id!r}: score {value} is above the maximum {limit}",
                line=_first_line(inverse, index, lines),
                source=name,
            )
        values[index] = value
    return values[inverse], empty[inverse]


def _parse_selection_column(
    column: npt.NDArray[np.str_],
    *,
    key: ItemKey,
    lines: Sequence[int],
    name: str,
) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    uniques, inverse = np.unique(column, return_inverse=True)
    allowed = key.options or tuple(LETTERS)
    masks = np.zeros(len(uniques), dtype=np.int64)
    for index, token in enumerate(uniques.tolist()):
        if token == "":
            continue
        try:
            masks[index] = parse_selection(token, allowed, multiple=key.kind is ItemKind.MULTIPLE)
        except ValueError as exc:
            raise PsychometricsInputError(
                "unknown_option",
                f"item {key.item_id!r}: {exc}",
                line=_first_line(inverse, index, lines),
                source=name,
            ) from None
    if key.options:
        options = key.options
    else:
        used = int(np.bitwise_or.reduce(masks)) | key.key_mask
        highest = max(used.bit_length() - 1, 1)
        options = options_up_to(LETTERS[highest])
    return masks[inverse], options


def parse_responses(
    source: Source,
    *,
    key: Mapping[str, ItemKey] | None = None,
) -> ScoredResponses:
    """Read and score a response file (see the module docstring)."""
    table = _read_table(source, "responses")
    header = table.header
    if not header or header[0].lower() != "candidate_id":
        raise PsychometricsInputError(
            "bad_header",
            "the first column of the header must be candidate_id",
            line=1,
            source=table.name,
        )
    item_ids = header[1:]
    if not item_ids:
        raise PsychometricsInputError(
            "no_items", "the header names no items", line=1, source=table.name
        )
    seen: set[str] = set()
    for item_id in item_ids:
        if not item_id:
            raise PsychometricsInputError(
                "empty_item_id", "the header has an empty item id", line=1, source=table.name
            )
        if item_id in seen:
            raise PsychometricsInputError(
                "duplicate_item",
                f"item {item_id!r} appears twice in the header",
                line=1,
                source=table.name,
            )
        seen.add(item_id)
    if not table.rows:
        raise PsychometricsInputError(
            "no_candidates", "the file has a header but no candidates", source=table.name
        )
    _check_rectangular(table)
    candidates: dict[str, int] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        candidate = row[0].strip()
        if not candidate:
            raise PsychometricsInputError(
                "empty_candidate_id", "empty candidate_id", line=line, source=table.name
            )
        if candidate in candidates:
            raise PsychometricsInputError(
                "duplicate_candidate",
                f"candidate {candidate!r} appears twice (first on line {candidates[candidate]})",
                line=line,
                source=table.name,
            )
        candidates[candidate] = line
    if key is not None:
        missing = [item for item in item_ids if item not in key]
        if missing:
            raise PsychometricsInputError(
                "item_not_in_key",
                f"item {missing[0]!r} is in the responses but not in the key",
                line=1,
                source=table.name,
            )
    cells = np.char.strip(np.array([row[1:] for row in table.rows], dtype=np.str_))
    n, k = cells.shape
    scores = np.zeros((n, k), dtype=np.int64)
    omitted = np.zeros((n, k), dtype=np.bool_)
    keys: list[ItemKey] = []
    options: list[tuple[str, ...]] = []
    selections: npt.NDArray[np.int64] | None = None
    if key is not None and any(key[i].kind is not ItemKind.SCORED for i in item_ids):
        selections = np.zeros((n, k), dtype=np.int64)
    for j, item_id in enumerate(item_ids):
        column = cells[:, j]
        item_key = key[item_id] if key is not None else None
        if item_key is None or item_key.kind is ItemKind.SCORED:
            values, empty = _parse_score_column(
                column,
                item_id=item_id,
                max_score=item_key.max_score if item_key is not None else None,
                lines=table.lines,
                name=table.name,
                keyed=key is not None,
            )
            scores[:, j] = values
            omitted[:, j] = empty
            max_score = item_key.max_score if item_key is not None else max(int(values.max()), 1)
            resolved = ItemKey(item_id=item_id, kind=ItemKind.SCORED, max_score=max_score)
            keys.append(resolved)
            options.append(())
            continue
        masks, item_options = _parse_selection_column(
            column, key=item_key, lines=table.lines, name=table.name
        )
        resolved = ItemKey(
            item_id=item_id,
            kind=item_key.kind,
            correct=item_key.correct,
            options=item_options,
            max_score=item_key.max_score,
            multiple_response_scoring=item_key.multiple_response_scoring,
        )
        assert selections is not None
        selections[:, j] = masks
        omitted[:, j] = masks == 0
        scores[:, j] = score_selections(masks, resolved)
        keys.append(resolved)
        options.append(item_options)
    max_scores = np.array([item.max_score for item in keys], dtype=np.int64)
    dtype = smallest_int_dtype(int(max_scores.max()))
    typed_selections: npt.NDArray[np.unsignedinteger[Any]] | None = None
    if selections is not None:
        widest = max((len(o) for o in options), default=1)
        typed_selections = selections.astype(selection_dtype(widest))
    return ScoredResponses(
        candidate_ids=tuple(candidates),
        item_ids=tuple(item_ids),
        scores=scores.astype(dtype),
        max_scores=max_scores,
        omitted=omitted,
        not_reached=not_reached_mask(omitted),
        keys=tuple(keys) if key is not None else None,
        selections=typed_selections,
        options=tuple(options),
    )


read_responses = parse_responses


def read_groups(source: Source, *, candidate_ids: Sequence[str] | None = None) -> dict[str, str]:
    """Read ``candidate_id,group``; candidates must exist in ``candidate_ids`` when given."""
    table = _read_table(source, "groups")
    if [cell.lower() for cell in table.header[:2]] != ["candidate_id", "group"]:
        raise PsychometricsInputError(
            "bad_header", "the groups header must be candidate_id,group", line=1, source=table.name
        )
    _check_rectangular(table)
    known = set(candidate_ids) if candidate_ids is not None else None
    groups: dict[str, str] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        candidate, group = row[0].strip(), row[1].strip()
        if not candidate:
            raise PsychometricsInputError(
                "empty_candidate_id", "empty candidate_id", line=line, source=table.name
            )
        if candidate in groups:
            raise PsychometricsInputError(
                "duplicate_candidate",
                f"candidate {candidate!r} appears twice",
                line=line,
                source=table.name,
            )
        if known is not None and candidate not in known:
            raise PsychometricsInputError(
                "unknown_candidate",
                f"candidate {candidate!r} is not in the responses",
                line=line,
                source=table.name,
            )
        if group:
            groups[candidate] = group
    return groups
