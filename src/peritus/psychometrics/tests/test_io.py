"""Reading response and key files: scoring, and a typed error with a line for every bad file."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from peritus.psychometrics.errors import PsychometricsInputError
from peritus.psychometrics.io import parse_key, read_groups, read_key, read_responses
from peritus.psychometrics.scoring import ItemKind, ScoredResponses


def _responses(text: str, key: str | None = None) -> ScoredResponses:
    keys = parse_key(io.StringIO(key)) if key is not None else None
    return read_responses(io.StringIO(text), key=keys)


def _error(text: str, key: str | None = None) -> PsychometricsInputError:
    with pytest.raises(PsychometricsInputError) as caught:
        _responses(text, key)
    return caught.value


def test_scored_file_reads_into_an_int8_matrix() -> None:
    data = read_responses(io.StringIO("candidate_id,Q1,Q2\nA,1,0\nB,0,1\n"))
    assert data.scores.dtype == np.int8
    assert data.scores.tolist() == [[1, 0], [0, 1]]
    assert data.candidate_ids == ("A", "B")
    assert data.item_ids == ("Q1", "Q2")
    assert data.is_dichotomous


def test_empty_cells_are_omitted_and_a_trailing_run_is_not_reached() -> None:
    data = read_responses(io.StringIO("candidate_id,Q1,Q2,Q3,Q4\nA,1,,1,\nB,1,0,,\nC,,,,\n"))
    assert data.scores.tolist() == [[1, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]]
    assert data.omitted.tolist() == [
        [False, True, False, True],
        [False, False, True, True],
        [True, True, True, True],
    ]
    assert data.not_reached.tolist() == [
        [False, False, False, True],
        [False, False, True, True],
        [True, True, True, True],
    ]


def test_partial_credit_scores_set_the_item_maximum() -> None:
    data = read_responses(io.StringIO("candidate_id,T1,Q1\nA,3,1\nB,1,0\n"))
    assert data.max_scores.tolist() == [3, 1]
    assert not data.is_dichotomous


def test_keyed_single_and_multiple_response_items_are_scored() -> None:
    key = "item_id,key,scoring\nQ1,B,\nQ2,A;C,\nQ3,A;C,partial\n"
    text = "candidate_id,Q1,Q2,Q3\nA,b,AC,A\nB,A,A;C,A;B\nC,,C|A,ABC\nD,B,A,AC\n"
    data = _responses(text, key)
    assert data.scores.tolist() == [[1, 1, 1], [0, 1, 0], [0, 1, 1], [1, 0, 2]]
    # Partial credit: right minus wrong, floored at 0; max = number keyed
    assert data.max_scores.tolist() == [1, 1, 2]
    assert data.selections is not None
    assert data.selections.tolist()[0] == [2, 5, 1]


def test_scored_items_can_sit_in_a_keyed_file() -> None:
    key = "item_id,key,max_score\nQ1,A,\nT1,SCORED,4\n"
    data = _responses("candidate_id,Q1,T1\nA,A,3\nB,C,\n", key)
    assert data.scores.tolist() == [[1, 3], [0, 0]]
    assert data.keys is not None
    assert data.keys[1].kind is ItemKind.SCORED


def test_options_default_to_the_letters_seen_and_follow_a_declared_count() -> None:
    data = _responses("candidate_id,Q1,Q2\nA,A,A\nB,C,B\n", "item_id,key,options\nQ1,B,\nQ2,A,5\n")
    assert data.options == (("A", "B", "C"), ("A", "B", "C", "D", "E"))


def test_a_byte_order_mark_and_trailing_blank_lines_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffcandidate_id,Q1\r\nA,1\r\nB,0\r\n\r\n\r\n".encode())
    assert read_responses(path).scores.tolist() == [[1], [0]]


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", "empty_file", None),
        ("   \n\n", "empty_file", None),
        ("candidate_id,Q1\n", "no_candidates", None),
        ("candidate_id\nA\n", "no_items", 1),
        ("id,Q1\nA,1\n", "bad_header", 1),
        ("candidate_id,Q1,Q1\nA,1,0\n", "duplicate_item", 1),
        ("candidate_id,Q1,\nA,1,0\n", "empty_item_id", 1),
        ("candidate_id,Q1,Q2\nA,1,0\nB,1\n", "ragged_row", 3),
        ("candidate_id,Q1,Q2\nA,1,0\n\nB,1,1\n", "ragged_row", 3),
        ("candidate_id,Q1\nA,1\nB,x\n", "non_numeric", 3),
        ("candidate_id,Q1\nA,1\nB,0.5\n", "non_numeric", 3),
        ("candidate_id,Q1\nA,-1\n", "score_out_of_range", 2),
        ("candidate_id,Q1\nA,1\nA,0\n", "duplicate_candidate", 3),
        ("candidate_id,Q1\nA,1\n,0\n", "empty_candidate_id", 3),
        ('candidate_id,Q1\nA,"1\n', "csv_syntax", 2),
    ],
)
def test_bad_response_files_raise_a_typed_error_with_a_line(
    text: str, code: str, line: int | None
) -> None:
    error = _error(text)
    assert error.code == code
    assert error.line == line


def test_letters_without_a_key_get_a_hint() -> None:
    error = _error("candidate_id,Q1\nA,B\n")
    assert error.code == "non_numeric"
    assert "key file" in error.message


@pytest.mark.parametrize(
    ("text", "key", "code", "line"),
    [
        ("candidate_id,Q1\nA,A\nB,E\n", "item_id,key,options\nQ1,A,4\n", "unknown_option", 3),
        ("candidate_id,Q1\nA,A\nB,7\n", "item_id,key\nQ1,A\n", "unknown_option", 3),
        ("candidate_id,Q1\nA,AB\n", "item_id,key\nQ1,A\n", "unknown_option", 2),
        ("candidate_id,Q1\nA,AA\n", "item_id,key\nQ1,A;B\n", "unknown_option", 2),
        ("candidate_id,Q1,Q2\nA,A,B\n", "item_id,key\nQ1,A\n", "item_not_in_key", 1),
        ("candidate_id,T1\nA,5\n", "item_id,key,max_score\nT1,SCORED,4\n", "score_out_of_range", 2),
    ],
)
def test_bad_keyed_responses_raise_a_typed_error(text: str, key: str, code: str, line: int) -> None:
    error = _error(text, key)
    assert (error.code, error.line) == (code, line)


@pytest.mark.parametrize(
    ("key", "code", "line"),
    [
        ("item,answer\nQ1,A\n", "bad_header", 1),
        ("item_id,key\n", "no_items", None),
        ("item_id,key\nQ1,A\nQ1,B\n", "duplicate_item", 3),
        ("item_id,key\nQ1,1\n", "bad_key", 2),
        ("item_id,key\nQ1,A;A\n", "bad_key", 2),
        ("item_id,key,options\nQ1,E,4\n", "bad_key", 2),
        ("item_id,key,options\nQ1,A,ACE\n", "bad_options", 2),
        ("item_id,key,max_score\nT1,SCORED,zero\n", "bad_max_score", 2),
        ("item_id,key,scoring\nQ1,A;B,some\n", "bad_scoring", 2),
        ("item_id,key\nQ1,A,B\n", "ragged_row", 2),
    ],
)
def test_bad_key_files_raise_a_typed_error(key: str, code: str, line: int | None) -> None:
    with pytest.raises(PsychometricsInputError) as caught:
        parse_key(io.StringIO(key))
    assert (caught.value.code, caught.value.line) == (code, line)


def test_a_missing_file_and_bad_encoding_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(PsychometricsInputError) as missing:
        read_key(tmp_path / "absent.csv")
    assert missing.value.code == "file_not_found"
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"candidate_id,Q1\nJos\xe9,1\n")
    with pytest.raises(PsychometricsInputError) as encoding:
        read_responses(latin)
    assert (encoding.value.code, encoding.value.line) == ("encoding", 2)
    assert str(encoding.value) == f"{latin} line 2: the file is not valid UTF-8"


def test_groups_file_is_validated_against_the_candidates() -> None:
    groups = read_groups(io.StringIO("candidate_id,group\nA,F\nB,\n"), candidate_ids=["A", "B"])
    assert groups == {"A": "F"}
    with pytest.raises(PsychometricsInputError) as unknown:
        read_groups(io.StringIO("candidate_id,group\nZ,F\n"), candidate_ids=["A"])
    assert (unknown.value.code, unknown.value.line) == ("unknown_candidate", 2)
    with pytest.raises(PsychometricsInputError) as duplicate:
        read_groups(io.StringIO("candidate_id,group\nA,F\nA,M\n"))
    assert duplicate.value.code == "duplicate_candidate"
