"""Public register search over 1,000,000 certificates on PostgreSQL: p95 < 50 ms.

The benchmark builds its own database (`peritus_bench_register_search`), fills it with COPY
(seeded: the same names on every run; 70 % of holders consent to be listed), serves it with the
project's gunicorn configuration and searches `/register/` with wrk over a seeded mix of
queries — name fragments of 3 to 6 letters, given and family name together, a name within one
scheme, and full certificate numbers — at 2 connections (one per core: the latency of a search,
not of a queue of them; the throughput is reported too). The floor is the trivial view of the
same server in the same run. It prints the latencies and drops the database.

    .venv/bin/python tests/bench/bench_register_search.py [--count N] [--duration S]
"""

from __future__ import annotations

import argparse
import random
import sys
import urllib.parse

from bench_verification import (
    SEED,
    base_environment,
    bench_database,
    bench_var_dir,
    describe,
    gunicorn,
    log,
    seed_register,
    setup_django,
    wrk,
)
from harness import report

CONNECTIONS = 2  # one search per core at a time: latency without queueing behind other searches


def queries(sample: dict[str, object], count: int) -> list[str]:
    rng = random.Random(SEED + 1)
    names: list[tuple[str, str]] = sample["names"]  # type: ignore[assignment]
    numbers: list[str] = sample["numbers"]  # type: ignore[assignment]
    slug = str(sample["scheme_slug"])
    paths = []
    for index in range(count):
        given, family = rng.choice(names)
        kind = index % 5
        if kind in (0, 1):
            start = rng.randint(0, max(len(family) - 3, 0))
            term = family[start : start + rng.randint(3, 6)]
            query = {"q": term}
        elif kind == 2:
            query = {"q": f"{given} {family[:4]}"}
        elif kind == 3:
            query = {"q": family, "scheme": slug}
        else:
            query = {"q": rng.choice(numbers)}
        if index % 7 == 0:
            query["page"] = "2"
        paths.append("/register/?" + urllib.parse.urlencode(query))
    return paths


def main() -> bool:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=15)
    args = parser.parse_args()

    env = base_environment(bench_var_dir("register_search"))
    env["PERITUS_VERIFICATION_RATE_LIMIT"] = "100000000/m"  # the limiter runs, never refuses
    with bench_database("peritus_bench_register_search", env) as url:
        setup_django(env, url)
        sample = seed_register(count=args.count)
        paths = queries(sample, 4000)
        from django.db import connections

        connections.close_all()
        with gunicorn(env, url) as base:
            wrk(base, paths, connections=CONNECTIONS, duration=3)  # warm up
            floor = wrk(base, ["/bench/floor/"], connections=CONNECTIONS, duration=args.duration)
            search = wrk(base, paths, connections=CONNECTIONS, duration=args.duration)
    describe("floor (trivial JSON view)", floor)
    describe("register search", search)
    clean = search["errors"] == 0 and search["non2xx"] == 0
    passed = search["p95_ms"] < 50 and clean
    log(
        f"register search p95 {search['p95_ms']:.1f} ms at {CONNECTIONS} connections (target < 50 ms)"
    )
    return report(
        "register_search",
        figure=search["p95_ms"],
        unit="ms_p95",
        target="<50ms",
        passed=passed,
        floor={"rps": round(floor["rps"]), "p95_ms": floor["p95_ms"]},
        details={"certificates": args.count, "connections": CONNECTIONS, "search": search},
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
