"""``peritus psychometrics analyze`` runs through Django's command line without a database.

The command wrapper lives in ``peritus.exams.management``; it is exercised in a subprocess so
that this package's tests never import Django themselves. The database URL points into a folder
that does not exist: any attempt to open the database would fail the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PERITUS_DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "peritus.config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/folder/db.sqlite3",
    }
    return subprocess.run(
        [sys.executable, "-m", "peritus.config.manage", "psychometrics", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_the_django_command_analyses_without_a_database(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("candidate_id,Q1,Q2,Q3\nA,1,0,1\nB,0,0,1\nC,1,1,1\n")
    result = _run(
        ["analyze", "--responses", str(tmp_path / "r.csv"), "--json", str(tmp_path / "o.json")],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "o.json").read_text())
    assert (report["n_candidates"], report["n_items"]) == (3, 3)
    assert not (tmp_path / "missing").exists()


def test_the_django_command_reports_errors_in_one_line(tmp_path: Path) -> None:
    result = _run(
        [
            "analyze",
            "--responses",
            str(tmp_path / "absent.csv"),
            "--json",
            str(tmp_path / "o.json"),
        ],
        tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "file_not_found" in result.stderr
    assert not (tmp_path / "o.json").exists()
