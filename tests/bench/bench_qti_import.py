"""QTI import of a 5,000-item package, against the floor of merely parsing the same XML.

The package is generated (seeded) with every interaction type the bank supports, written by our
QTI 3.0 writer. The floor is the time defusedxml takes to parse every XML file of the package,
measured in the same run; the figure is the full import (read, check, plan, one transaction
writing items, versions and audit events). Target: under 120 s, and the ratio is reported.

    .venv/bin/python tests/bench/bench_qti_import.py [--items N] [--database sqlite|postgres]

This module also holds the set-up the item bank benchmarks share (a throw-away database).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from typing import Any

from harness import ROOT, report

SEED = 17024
PG_ADMIN_URL = os.environ.get("PERITUS_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def log(message: str) -> None:
    print(message, flush=True)


@contextlib.contextmanager
def django_database(kind: str, name: str) -> Iterator[None]:
    """A fresh, migrated database for this process (SQLite file or PostgreSQL), dropped after."""
    sys.path.insert(0, str(ROOT / "src"))
    workdir = tempfile.mkdtemp(prefix=f"peritus-bench-{name}-")
    os.environ.update(PERITUS_DEBUG="true", PERITUS_VAR_DIR=workdir, PERITUS_LOG_LEVEL="ERROR",
                      DJANGO_SETTINGS_MODULE="peritus.config.settings")  # fmt: skip
    pg_name = f"peritus_bench_{name}"
    if kind == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {pg_name}")
            connection.execute(f"CREATE DATABASE {pg_name}")
        os.environ["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{pg_name}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from peritus.accounts.reference_data import ensure_reference_data

    ensure_reference_data()
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        if kind == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {pg_name}")
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


def staff(role: str, email: str) -> Any:
    from peritus.accounts.models import AgreementAcceptance, Role, RoleAssignment, User
    from peritus.accounts.selectors import current_agreement_for

    user = User.objects.create_user(
        email=email, password=None, given_names="Bench", family_name=role
    )
    role_row = Role.objects.get(code=role)
    RoleAssignment.objects.create(user=user, role=role_row)
    agreement = current_agreement_for(role_row)
    if agreement is not None:
        AgreementAcceptance.objects.create(user=user, agreement=agreement)
    return user


def generated_content(n: int, rng: random.Random) -> Any:
    from peritus.itembank.qti.content import (
        GAP,
        InteractionType,
        ItemContent,
        Option,
        Scoring,
        ScoringMethod,
    )

    kind = [InteractionType.SINGLE_CHOICE] * 6 + [InteractionType.MULTIPLE_RESPONSE, InteractionType.TRUE_FALSE,
                                                  InteractionType.INLINE_CHOICE, InteractionType.MATCH,
                                                  InteractionType.ORDER, InteractionType.NUMERIC_ENTRY]  # fmt: skip
    chosen = kind[n % len(kind)]
    stem = f"<p>Generated question {n}: which control best reduces risk {rng.randint(1, 999)} in scenario {n % 97}?</p>"
    options = tuple(
        Option(chr(65 + k), f"Control {chr(65 + k)} for case {n}", rationale=f"Because {k}")
        for k in range(4)
    )
    if chosen is InteractionType.SINGLE_CHOICE:
        return ItemContent(chosen, stem, options=options, key=(rng.choice("ABCD"),))
    if chosen is InteractionType.MULTIPLE_RESPONSE:
        return ItemContent(chosen, stem, options=options, key=("A", "C"), scoring=Scoring(points=2))
    if chosen is InteractionType.TRUE_FALSE:
        return ItemContent(
            chosen, stem, options=(Option("true", "True"), Option("false", "False")), key=("true",)
        )
    if chosen is InteractionType.INLINE_CHOICE:
        return ItemContent(
            chosen, f"<p>The control for case {n} is {GAP}.</p>", options=options, key=("B",)
        )
    if chosen is InteractionType.MATCH:
        match = tuple(Option(f"L{k}", f"Term {k}", match_set=0) for k in range(3)) + tuple(
            Option(f"R{k}", f"Meaning {k}", match_set=1) for k in range(3)
        )
        return ItemContent(chosen, stem, options=match, key=("L0 R0", "L1 R1", "L2 R2"),
                           scoring=Scoring(ScoringMethod.MAP_RESPONSE, mapping=(("L0 R0", 1.0), ("L1 R1", 1.0), ("L2 R2", 1.0))))  # fmt: skip
    if chosen is InteractionType.ORDER:
        return ItemContent(chosen, stem, options=options, key=("D", "C", "B", "A"))
    return ItemContent(
        chosen, f"<p>How many minutes is {n % 10} hours? {GAP}</p>", key=(str((n % 10) * 60),)
    )


def build_package(count: int) -> bytes:
    from peritus.itembank.qti.writer import ExportItem, ItemMetadata
    from peritus.itembank.qti.writer import build_package as write

    rng = random.Random(SEED)
    items = [
        ExportItem(f"GEN-{n:05d}", f"Generated item {n}", "en", generated_content(n, rng),
                   ItemMetadata(cognitive_level=rng.choice(["remember", "apply", "analyse"]), tags=("bench",)))
        for n in range(count)
    ]  # fmt: skip
    return write(items, version="3.0")


def parse_floor(package: bytes) -> float:
    """Seconds to parse every XML file of the package with defusedxml, nothing else."""
    from defusedxml import ElementTree as SafeET

    started = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                SafeET.fromstring(archive.read(name), forbid_dtd=True)
    return time.perf_counter() - started


def main() -> bool:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    with django_database(args.database, "qti_import"):
        from peritus.itembank.models import Item
        from peritus.itembank.services import import_qti_package
        from peritus.schemes.models import Scheme

        author = staff("item_author", "bench-author@peritus.example")
        scheme = Scheme.objects.create(code="BENCH", slug="bench", name="Benchmark scheme")
        started = time.perf_counter()
        package = build_package(args.items)
        log(
            f"package: {args.items} items, {len(package) / 1e6:.1f} MB, written in {time.perf_counter() - started:.1f} s"
        )
        floor = min(parse_floor(package) for _ in range(3))
        log(f"floor (parse every XML file with defusedxml): {floor:.2f} s")
        started = time.perf_counter()
        report_ = import_qti_package(actor=author, source=package, bank_slug="bench", scheme=scheme)
        seconds = time.perf_counter() - started
        assert not report_.refused, report_.reason
        assert report_.items_imported == args.items
        assert Item.objects.filter(bank__slug="bench").count() == args.items
        ratio = seconds / floor
        log(
            f"import ({args.database}): {seconds:.1f} s, {args.items / seconds:.0f} items/s, {ratio:.1f}× the parse floor"
        )
    return report(
        "qti_import",
        figure=seconds,
        unit="s",
        target="< 120 s for 5,000 items",
        passed=seconds < 120 * args.items / 5000,
        floor={"parse_seconds": round(floor, 3), "what": "defusedxml parse of every XML file"},
        details={"items": args.items, "items_per_second": round(args.items / seconds, 1),
                 "ratio_to_floor": round(ratio, 1), "database": args.database},
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
