"""Assembly of a 100-item form from a 5,000-item bank (OR-Tools CP-SAT), against reading the bank.

The bank is the 5,000-item generated package of `bench_qti_import`, brought into service for the
benchmark (operational, spread over five competence domains, with seeded p-values and enemy pairs).
The blueprint asks for 20 items per domain and a mean p of 0.70 ± 0.02. The floor is the time to
load the assembly candidates from the database (what any selection must read); the figure is the
whole `assemble_forms` service: read, model, solve, write the form and its audit event.
Target: under 10 s for one form.

    .venv/bin/python tests/bench/bench_form_assembly.py [--database sqlite|postgres]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from decimal import Decimal

from bench_qti_import import SEED, build_package, django_database, log, staff
from harness import report


def main() -> bool:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    with django_database(args.database, "form_assembly"):
        from django.utils import timezone

        from peritus.itembank.models import Item, ItemBank, ItemStatistics, ItemStatus
        from peritus.itembank.services import (
            RowInput,
            approve_blueprint,
            assemble_forms,
            create_blueprint,
            import_qti_package,
        )
        from peritus.itembank.services.forms import assembly_candidates
        from peritus.schemes.models import (
            AssessmentComponent,
            AssessmentComponentKind,
            CompetenceDomain,
            Scheme,
            SchemeVersion,
        )

        author = staff("item_author", "bench-author@peritus.example")
        psychometrician = staff("psychometrician", "bench-psy@peritus.example")
        scheme = Scheme.objects.create(code="BENCH", slug="bench", name="Benchmark scheme")
        version = SchemeVersion.objects.create(scheme=scheme, version="2026.1")
        domains = [
            CompetenceDomain.objects.create(scheme_version=version, code=f"D{n}", title=f"Domain {n}", weight=Decimal(20))
            for n in range(1, 6)
        ]  # fmt: skip
        component = AssessmentComponent.objects.create(
            scheme_version=version, code="EXAM", name="Online exam", kind=AssessmentComponentKind.EXAM,
            max_score=Decimal(100), pass_mark=Decimal(70),
        )  # fmt: skip
        started = time.perf_counter()
        import_qti_package(
            actor=author, source=build_package(args.items), bank_slug="bench", scheme=scheme
        )
        bank = ItemBank.objects.get(slug="bench")
        rng = random.Random(SEED)
        items = list(Item.objects.filter(bank=bank).order_by("pk"))
        # Bench data set: the imported items are put in service directly (the workflow has its own tests).
        for n, item in enumerate(items):
            item.competence_domain = domains[n % 5]
            item.exposure_count = rng.randint(0, 300)
        Item.objects.bulk_update(items, ["competence_domain", "exposure_count"], batch_size=1000)
        Item.objects.filter(bank=bank).update(status=ItemStatus.OPERATIONAL)
        now = timezone.now()
        ItemStatistics.objects.bulk_create(
            [ItemStatistics(item_version_id=item.current_version_id, p_value=rng.uniform(0.35, 0.95),
                            point_biserial=rng.uniform(0.1, 0.5), n=500, computed_at=now, source="bench")
             for item in items if item.current_version_id is not None],
            batch_size=1000,
        )  # fmt: skip
        for a, b in zip(items[0:400:2], items[1:400:2], strict=True):
            a.enemies.add(b)
        log(
            f"bank of {len(items)} operational items built in {time.perf_counter() - started:.1f} s"
        )
        blueprint = create_blueprint(
            actor=psychometrician, bank=bank, component=component, name="Bench blueprint", total_items=100,
            time_limit_minutes=120, pass_mark=Decimal(70), rows=[RowInput(d, 20) for d in domains],
            target_mean_p=0.70, target_tolerance=0.02,
        )  # fmt: skip
        approve_blueprint(actor=psychometrician, blueprint=blueprint)
        floors = []
        for _ in range(3):
            started = time.perf_counter()
            candidates = assembly_candidates(bank, today=timezone.localdate())
            floors.append(time.perf_counter() - started)
        floor = min(floors)
        log(f"floor (load {len(candidates)} assembly candidates): {floor:.2f} s")
        started = time.perf_counter()
        [form] = assemble_forms(
            actor=psychometrician, blueprint=blueprint, code_prefix="BENCH-1", seed=SEED
        )
        seconds = time.perf_counter() - started
        assert form.entries.count() == 100
        solver = form.assembly_report
        log(f"assembly: {seconds:.2f} s in all, solver {solver['seconds']} s ({solver['solver_status']}), "
            f"mean p {solver['mean_p']:.3f}, {seconds / floor:.1f}× the floor")  # fmt: skip
        started = time.perf_counter()
        forms = assemble_forms(
            actor=psychometrician, blueprint=blueprint, code_prefix="BENCH-P", count=3, seed=SEED
        )
        parallel = time.perf_counter() - started
        log(
            f"three parallel 100-item forms: {parallel:.2f} s ({forms[0].assembly_report['solver_status']})"
        )
    return report(
        "form_assembly",
        figure=seconds,
        unit="s",
        target="< 10 s for a 100-item form from 5,000 items",
        passed=seconds < 10,
        floor={"load_candidates_seconds": round(floor, 3), "what": "reading the bank's assembly candidates"},
        details={"items": args.items, "solver_seconds": solver["seconds"], "solver_status": solver["solver_status"],
                 "ratio_to_floor": round(seconds / floor, 1), "three_parallel_forms_seconds": round(parallel, 2),
                 "database": args.database},
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
