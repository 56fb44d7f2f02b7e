"""Paper answer sheets come in as CSV from the office: all or nothing, every problem by line."""

from __future__ import annotations

import pytest
from django.utils import timezone

from peritus.itembank.statistics.models import CandidateResponse, FormAdministration
from peritus.itembank.statistics.responses import read_answer_sheets
from peritus.itembank.statistics.selectors import form_items_of
from peritus.itembank.statistics.services import AnswerSheetsRefused, import_answer_sheets
from peritus.itembank.tests.statistics_factories import FormSetup, make_approved_form, sheet_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> FormSetup:
    return make_approved_form(n_items=3)


def _import(setup: FormSetup, data: bytes) -> FormAdministration:
    return import_answer_sheets(
        form=setup.form, administered_on=timezone.localdate(), data=data,
        actor=setup.psychometrician, reference="Hall B sheets",
    )  # fmt: skip


def test_answer_sheets_are_scored_against_the_key_of_the_form(setup: FormSetup) -> None:
    items = form_items_of(setup.form)
    data = sheet_csv(items, [["S-01", "a", "B", ""], ["S-02", "C", "", "D"]])

    administration = _import(setup, data)

    assert (administration.source, administration.candidate_count) == ("paper", 2)
    rows = {r.candidate_code: r.answers for r in CandidateResponse.objects.all()}
    assert rows["S-01"] == {str(items[0].version_id): "A", str(items[1].version_id): "B"}
    assert rows["S-02"] == {str(items[0].version_id): "C", str(items[2].version_id): "D"}


def test_bad_rows_give_every_problem_with_its_line_and_store_nothing(setup: FormSetup) -> None:
    items = form_items_of(setup.form)
    data = sheet_csv(
        items,
        [
            ["S-01", "A", "B", "C"],
            ["S-02", "E", "B", "C"],  # line 3: no option E
            ["", "A", "B", "C"],  # line 4: no candidate
            ["S-01", "A", "B", "C"],  # line 5: the same sheet twice
            ["S-05", "A", "B"],  # line 6: a cell missing
            ["S-06", "AB", "B", "C"],  # line 7: two marks on a single-answer item
        ],
    )

    with pytest.raises(AnswerSheetsRefused) as error:
        _import(setup, data)

    found = [(p.line, p.code) for p in error.value.problems]
    assert found == [
        (3, "unknown_option"),
        (4, "empty_candidate_id"),
        (5, "duplicate_candidate"),
        (6, "ragged_row"),
        (7, "unknown_option"),
    ]
    assert error.value.code == "sheets_refused"
    assert error.value.details["problems"][0]["line"] == 3
    assert FormAdministration.objects.count() == 0
    assert CandidateResponse.objects.count() == 0


def test_the_header_must_name_exactly_the_items_of_the_form(setup: FormSetup) -> None:
    items = form_items_of(setup.form)
    header = f"candidate_id,{items[0].identifier},{items[0].identifier},OTHER-1\nS-1,A,A,A\n"

    with pytest.raises(AnswerSheetsRefused) as error:
        _import(setup, header.encode())

    codes = sorted(p.code for p in error.value.problems)
    assert codes == ["duplicate_item", "item_not_on_form", "missing_item", "missing_item"]
    assert {p.line for p in error.value.problems} == {1}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"\xff\xfe broken", "encoding"),
        (b"student,Q1\n", "bad_header"),
    ],
)
def test_unreadable_files_are_refused_with_the_engine_codes(
    setup: FormSetup, data: bytes, code: str
) -> None:
    with pytest.raises(AnswerSheetsRefused) as error:
        _import(setup, data)

    assert error.value.problems[0].code == code


def test_a_header_without_sheets_is_refused(setup: FormSetup) -> None:
    data = sheet_csv(form_items_of(setup.form), [])

    with pytest.raises(AnswerSheetsRefused) as error:
        _import(setup, data)

    assert [p.code for p in error.value.problems] == ["no_candidates"]


def test_a_quote_left_open_is_a_csv_syntax_error(setup: FormSetup) -> None:
    items = form_items_of(setup.form)
    data = sheet_csv(items, [['"S-1', "A", "B", "C"]])

    problems = read_answer_sheets(data, items).problems

    assert problems[0].code == "csv_syntax"


def test_many_problems_are_capped(setup: FormSetup) -> None:
    items = form_items_of(setup.form)
    data = sheet_csv(items, [[f"S-{n}", "Z", "Z", "Z"] for n in range(40)])

    problems = read_answer_sheets(data, items, max_problems=10).problems

    assert len(problems) == 10


def test_a_sheet_with_an_application_reference_is_linked_to_the_application(
    setup: FormSetup,
) -> None:
    from peritus.applications.tests.factories import make_application
    from peritus.schemes.tests.factories import make_published_version

    application = make_application(scheme_version=make_published_version(scheme=setup.scheme))
    data = sheet_csv(form_items_of(setup.form), [[application.reference, "A", "B", "C"]])

    _import(setup, data)

    assert CandidateResponse.objects.get().application == application
