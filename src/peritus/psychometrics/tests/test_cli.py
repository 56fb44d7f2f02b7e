"""The analyze command end to end: files in, JSON/HTML/PDF out, one-line errors, no partial output."""

from __future__ import annotations

import itertools
import json
import math
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, override

import numpy as np
import pytest
from scipy import special

from peritus.psychometrics.cli import main

LETTERS = "ABCD"


def _write_exam(folder: Path, *, n: int = 300, k: int = 12, seed: int = 2) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n)
    b = np.linspace(-1.5, 1.5, k)
    right = rng.random((n, k)) < special.expit(1.2 * (theta[:, None] - b))
    key = rng.integers(0, 4, k)
    wrong = (key + rng.integers(1, 4, (n, k))) % 4
    chosen = np.where(right, key, wrong)
    omitted = rng.random((n, k)) < 0.03
    rows = []
    for i in range(n):
        cells = ["" if omitted[i, j] else LETTERS[chosen[i, j]] for j in range(k)]
        rows.append(f"C{i:03d}," + ",".join(cells))
    items = [f"Q{j + 1}" for j in range(k)]
    (folder / "responses.csv").write_text(
        "candidate_id," + ",".join(items) + "\n" + "\n".join(rows) + "\n"
    )
    (folder / "key.csv").write_text(
        "item_id,key\n" + "".join(f"{item},{LETTERS[key[j]]}\n" for j, item in enumerate(items))
    )
    (folder / "groups.csv").write_text(
        "candidate_id,group\n" + "".join(f"C{i:03d},{'F' if i % 2 else 'R'}\n" for i in range(n))
    )
    scores = ((chosen == key) & ~omitted).astype(np.int8)
    return {"scores": scores, "items": items}


def _strict_json(path: Path) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON report")

    return json.loads(path.read_text(), parse_constant=refuse)


def test_analyze_writes_the_contract_json_and_an_html_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exam = _write_exam(tmp_path)
    status = main(
        [
            "analyze",
            "--responses", str(tmp_path / "responses.csv"),
            "--key", str(tmp_path / "key.csv"),
            "--model", "2pl",
            "--cut", "7",
            "--groups", str(tmp_path / "groups.csv"),
            "--json", str(tmp_path / "out.json"),
            "--html", str(tmp_path / "out.html"),
        ]
    )  # fmt: skip
    assert status == 0, capsys.readouterr().err
    report = _strict_json(tmp_path / "out.json")
    scores = exam["scores"].astype(np.float64)
    totals = scores.sum(axis=1)
    assert report["n_candidates"] == 300
    assert report["n_items"] == 12
    test = report["test"]
    assert set(test) >= {"mean", "sd", "sd_ddof", "kr20", "alpha", "sem"}
    # Independent computation from the scored matrix.
    assert test["mean"] == pytest.approx(totals.mean(), abs=1e-6)
    assert test["sd"] == pytest.approx(totals.std(), abs=1e-6)
    assert test["sd_ddof"] == pytest.approx(totals.std(ddof=1), abs=1e-6)
    kr20 = 12 / 11 * (1 - (scores.mean(0) * (1 - scores.mean(0))).sum() / totals.var())
    assert test["kr20"] == pytest.approx(kr20, abs=1e-6)
    assert test["alpha"] == pytest.approx(kr20, abs=1e-6)
    assert test["sem"] == pytest.approx(totals.std(ddof=1) * math.sqrt(1 - kr20), abs=1e-6)
    for j, item in enumerate(report["items"]):
        assert item["item_id"] == exam["items"][j]
        assert item["p_value"] == pytest.approx(scores[:, j].mean(), abs=1e-6)
        assert item["point_biserial"] == pytest.approx(
            np.corrcoef(scores[:, j], totals)[0, 1], abs=1e-6
        )
        assert item["item_rest_correlation"] == pytest.approx(
            np.corrcoef(scores[:, j], totals - scores[:, j])[0, 1], abs=1e-6
        )
        assert set(item["irt"]) >= {"a", "b"}
        assert item["irt"]["a"] > 0
        assert {option["option"] for option in item["options"]} == {"A", "B", "C", "D", "omit"}
    decision = report["decision_consistency"]
    assert decision["cut"] == 7
    assert 0 < decision["consistency"] <= 1
    assert 0 < decision["accuracy"] <= 1
    assert report["irt"]["model"] == "2pl"
    assert report["dif"][0]["reference"] in {"R", "F"}
    assert [v["topic"] for v in report["verdicts"]][:3] == ["reliability", "items", "decisions"]
    html = (tmp_path / "out.html").read_text()
    assert html.startswith("<!doctype html>")
    _check_accessible_and_offline(html, n_items=12)


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.svg_titles = 0
        self.tables_with_caption = 0
        self.tables = 0

    @override
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "title" and "svg" in self.stack:
            self.svg_titles += 1
        if tag == "table":
            self.tables += 1
        if tag == "caption" and self.stack and self.stack[-1] == "table":
            self.tables_with_caption += 1
        self.stack.append(tag)

    @override
    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop() == tag:
                break


def _check_accessible_and_offline(html: str, *, n_items: int) -> None:
    audit = _Audit()
    audit.feed(html)
    tags = audit.tags
    assert audit.tables > 0
    assert audit.tables == audit.tables_with_caption
    assert all(attrs.get("scope") in {"col", "row"} for tag, attrs in tags if tag == "th")
    svgs = [attrs for tag, attrs in tags if tag == "svg"]
    assert len(svgs) == n_items + 2  # items, score distribution, test information
    assert all(attrs.get("role") == "img" and attrs.get("aria-labelledby") for attrs in svgs)
    assert audit.svg_titles == len(svgs)
    ids = [attrs["id"] for _, attrs in tags if attrs.get("id")]
    assert len(ids) == len(set(ids)), "element ids must be unique across the page"
    headings = [
        int(tag[1]) for tag, _ in tags if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit()
    ]
    assert headings[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(headings))
    assert not any(tag in {"script", "link", "img", "iframe"} for tag, _ in tags)
    external = [
        value
        for _, attrs in tags
        for name, value in attrs.items()
        if name in {"src", "href"} and value and not value.startswith("#")
    ]
    assert external == []
    html_attrs = dict(tags[0][1])
    assert html_attrs.get("lang") == "en"


def test_scored_file_with_rasch_and_pdf(tmp_path: Path) -> None:
    exam = _write_exam(tmp_path, n=200, k=8)
    lines = ["candidate_id," + ",".join(exam["items"])]
    lines += [f"P{i}," + ",".join(str(v) for v in row) for i, row in enumerate(exam["scores"])]
    (tmp_path / "scored.csv").write_text("\n".join(lines) + "\n")
    status = main(
        ["analyze", "--responses", str(tmp_path / "scored.csv"), "--model", "rasch",
         "--json", str(tmp_path / "r.json"), "--pdf", str(tmp_path / "r.pdf")]
    )  # fmt: skip
    assert status == 0
    report = _strict_json(tmp_path / "r.json")
    assert all(item["irt"]["a"] == 1.0 for item in report["items"])
    assert "decision_consistency" not in report
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")


def test_flag_thresholds_come_from_a_file(tmp_path: Path) -> None:
    _write_exam(tmp_path)
    (tmp_path / "flags.json").write_text(json.dumps({"p_max": 0.5, "p_min": 0.0}))
    status = main(
        ["analyze", "--responses", str(tmp_path / "responses.csv"), "--key",
         str(tmp_path / "key.csv"), "--flags", str(tmp_path / "flags.json"),
         "--json", str(tmp_path / "out.json")]
    )  # fmt: skip
    assert status == 0
    report = _strict_json(tmp_path / "out.json")
    easy = [item for item in report["items"] if item["p_value"] > 0.5]
    assert easy
    assert all(any(f["code"] == "p_too_high" for f in item["flags"]) for item in easy)
    assert report["flags"]["thresholds"]["p_max"] == 0.5


def test_a_single_candidate_gives_nulls_and_notes_never_nan(tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_text("candidate_id,Q1,Q2,Q3\nA,1,0,1\n")
    status = main(
        ["analyze", "--responses", str(tmp_path / "one.csv"), "--cut", "2",
         "--json", str(tmp_path / "one.json"), "--html", str(tmp_path / "one.html")]
    )  # fmt: skip
    assert status == 0
    report = _strict_json(tmp_path / "one.json")
    assert report["test"]["alpha"] is None
    assert report["items"][0]["point_biserial"] is None
    assert report["decision_consistency"]["available"] is False
    assert report["test"]["notes"]


@pytest.mark.parametrize(
    ("files", "extra", "expected"),
    [
        ({"responses.csv": "candidate_id,Q1,Q2\nA,1,0\nB,1\n"}, [], "line 3"),
        ({"responses.csv": "candidate_id,Q1\nA,1\nB,x\n"}, [], "non_numeric"),
        ({"responses.csv": ""}, [], "empty_file"),
        ({"responses.csv": "candidate_id,Q1\nA,1\nA,0\n"}, [], "duplicate_candidate"),
        (
            {
                "responses.csv": "candidate_id,Q1\nA,A\nB,Z\n",
                "key.csv": "item_id,key,options\nQ1,A,4\n",
            },
            ["--key", "{dir}/key.csv"],
            "unknown_option",
        ),
        ({"responses.csv": "candidate_id,Q1\nA,1\nB,0\n"}, ["--cut", "5"], "cut_out_of_range"),
        ({"responses.csv": "candidate_id,Q1\nA,1\nB,0\n"}, ["--model", "3pl"], "invalid choice"),
        (
            {"responses.csv": "candidate_id,Q1\nA,1\nB,0\n", "flags.json": '{"p_mx": 1}'},
            ["--flags", "{dir}/flags.json"],
            "bad_flags",
        ),
        (
            {"responses.csv": "candidate_id,Q1\nA,1\nB,1\n"},
            ["--model", "2pl"],
            "nothing_to_calibrate",
        ),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    extra: list[str],
    expected: str,
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    before = set(tmp_path.iterdir())
    status = main(
        ["analyze", "--responses", str(tmp_path / "responses.csv"),
         "--json", str(tmp_path / "out.json"), "--html", str(tmp_path / "out.html"),
         *[arg.format(dir=tmp_path) for arg in extra]]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1
    assert err.startswith("peritus psychometrics: error: ")
    assert expected in err
    assert set(tmp_path.iterdir()) == before


def test_a_missing_output_folder_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.csv").write_text("candidate_id,Q1\nA,1\nB,0\n")
    status = main(
        [
            "analyze",
            "--responses",
            str(tmp_path / "r.csv"),
            "--json",
            str(tmp_path / "no" / "o.json"),
        ]
    )
    assert status == 2
    assert "output_dir_missing" in capsys.readouterr().err


def test_missing_required_arguments_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--responses", "x.csv"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--json" in err
    assert main(["--help"]) == 0


def test_mixed_item_kinds_go_through_every_analysis_and_output(tmp_path: Path) -> None:
    # Single response, multiple response (all-or-nothing and partial credit), a rubric-scored
    # task and not-reached responses, with IRT treating not-reached as not presented.
    (tmp_path / "key.csv").write_text(
        "item_id,key,scoring,max_score,options\n"
        "Q1,A,,,4\nQ2,B;C,,,\nQ3,A;D,partial,,5\nT1,SCORED,,3,\nQ4,C,,,\nQ5,B,,,\n"
    )
    rng = np.random.default_rng(6)
    rows = []
    for i in range(120):
        ability = rng.normal()
        good = special.expit(ability + np.array([0.5, 0.0, -0.5, 0.0, 0.3, -0.3])) > rng.random(6)
        cells = [
            "A" if good[0] else str(rng.choice(list("BCD"))),
            "BC" if good[1] else str(rng.choice(["B", "C", "A", "BCD"])),
            "AD" if good[2] else str(rng.choice(["A", "D", "ADE", "E"])),
            str(int(np.clip(round(1.5 + ability), 0, 3))),
            "C" if good[4] else str(rng.choice(list("ABD"))),
            "B" if good[5] else str(rng.choice(list("ACD"))),
        ]
        if i % 9 == 0:
            cells[-2:] = ["", ""]
        rows.append(f"M{i}," + ",".join(cells))
    (tmp_path / "r.csv").write_text("candidate_id,Q1,Q2,Q3,T1,Q4,Q5\n" + "\n".join(rows) + "\n")
    status = main(
        ["analyze", "--responses", str(tmp_path / "r.csv"), "--key", str(tmp_path / "key.csv"),
         "--model", "2pl", "--cut", "5", "--not-reached", "missing",
         "--json", str(tmp_path / "o.json"), "--html", str(tmp_path / "o.html"),
         "--pdf", str(tmp_path / "o.pdf")]
    )  # fmt: skip
    assert status == 0
    report = _strict_json(tmp_path / "o.json")
    by_id = {item["item_id"]: item for item in report["items"]}
    assert by_id["Q3"]["max_score"] == 2
    assert by_id["T1"]["kind"] == "scored"
    assert by_id["T1"]["irt"]["a"] is None
    assert by_id["Q5"]["n_not_reached"] == 14
    assert by_id["Q2"]["key"] == "B;C"
    assert report["test"]["kr20"] is None  # partial-credit items: KR-20 does not apply
    assert report["test"]["alpha"] is not None
    irt_verdict = next(v for v in report["verdicts"] if v["topic"] == "irt")
    assert "not available" in irt_verdict["message"]  # S-X2 needs complete data
    _check_accessible_and_offline((tmp_path / "o.html").read_text(), n_items=6)
