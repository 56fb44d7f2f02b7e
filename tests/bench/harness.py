"""Shared reporting for `make bench`.

Every benchmark is a script `tests/bench/bench_<name>.py` with a `main() -> bool`. It measures its
own floor in the same run (a bare computation or a trivial view served by the same server), prints
what it measured, and ends by calling `report(...)`, which prints the contract line

    BENCH <name> <figure> <unit> target <target> PASS|FAIL

and merges the result into `var/bench/results.json` with the floor, the core count and the date.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[2]
RESULTS = ROOT / "var" / "bench" / "results.json"


def report(
    name: str,
    *,
    figure: float,
    unit: str,
    target: str,
    passed: bool,
    floor: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> bool:
    """Print the BENCH line for one benchmark and record it in var/bench/results.json."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    try:
        results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    except json.JSONDecodeError:
        results = {}
    results[name] = {
        "figure": round(figure, 4),
        "unit": unit,
        "target": target,
        "passed": passed,
        "floor": floor or {},
        "details": details or {},
        "cores": os.cpu_count(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    shown = f"{figure:.4g}"
    print(f"BENCH {name} {shown} {unit} target {target} {'PASS' if passed else 'FAIL'}", flush=True)
    return passed
