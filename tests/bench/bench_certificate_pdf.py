"""Certificate PDF rendering: < 20 ms each (product.md §5).

Renders a seeded set of certificates (Western European and other scripts, one to five scope
items, current and superseded revisions) one after another in one process, and reports the mean
and the 95th percentile per certificate. The floor, measured in the same run, is the same
reportlab document with one line of text: what any certificate costs before its contents.

    .venv/bin/python tests/bench/bench_certificate_pdf.py [--count N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_verification import base_environment, bench_var_dir, log, setup_django
from harness import report

NAMES = [
    ("Åsa", "Lindqvist"),
    ("Malik", "Osei"),
    ("Łukasz", "Żółkiewski"),
    ("Zoë", "Ní Bhriain"),
    ("Dimitris", "Παπαδόπουλος"),
    ("Anna-Maria", "van der Berg-Smit"),
    ("Jean", "Dupont"),
    ("Olga", "Sato"),
]


def main() -> bool:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=400)
    args = parser.parse_args()
    var_dir = bench_var_dir("certificate_pdf")
    with tempfile.TemporaryDirectory(prefix="peritus-bench-pdf-") as scratch:
        setup_django(base_environment(var_dir), f"sqlite:///{Path(scratch) / 'unused.sqlite3'}")
        from reportlab.pdfgen.canvas import Canvas

        from peritus.certification import credentials, numbers
        from peritus.certification.pdf import (
            CertificateContent,
            ScopeLine,
            Seal,
            Superseded,
            is_printable,
            render_certificate,
        )

        rng = random.Random(17024)
        key = credentials.active_private_key()
        kid = credentials.key_id(key.public_key())
        jobs = []
        for index in range(args.count):
            given, family = rng.choice(NAMES)
            number = numbers.format_number("WI", index + 1)
            scope = tuple(
                ScopeLine(
                    code=f"L{level}",
                    title=f"Weld inspection, level {level}",
                    level=str(level),
                    limitations=rng.choice(["", "Fusion welds in carbon steel only."]),
                )
                for level in range(1, rng.randint(2, 6))
            )
            valid_from = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
            content = CertificateContent(
                body_name="Peritus Certification Body",
                holder_name=f"{given} {family}",
                number=number,
                revision=1,
                scheme_code="WI",
                scheme_name="Certified Welding Inspector",
                scheme_version="2026.1",
                standard_reference="ISO/IEC 17024:2012",
                scope=scope,
                issued_on=valid_from,
                valid_from=valid_from,
                expires_on=valid_from + dt.timedelta(days=3 * 365),
            )
            digest = credentials.content_digest(content.as_snapshot())
            token = credentials.seal(credentials.certificate_claims(number, 1, digest), key)
            url = credentials.verification_url(number)
            seal = Seal(
                verification_url=url, qr_url=f"{url}?t={token}", key_id=kid, content_digest=digest
            )
            superseded = Superseded(dt.date(2026, 11, 1), 2) if index % 10 == 0 else None
            jobs.append((content, seal, superseded))
        assert all(is_printable(content.holder_name) for content, _seal, _sup in jobs)

        def floor_page() -> bytes:
            buffer = io.BytesIO()
            canvas = Canvas(buffer, invariant=1, pageCompression=1)
            canvas.setFont("Helvetica", 12)
            canvas.drawString(72, 720, "Floor")
            canvas.showPage()
            canvas.save()
            return buffer.getvalue()

        render_certificate(*jobs[0][:2])  # warm fonts and caches
        floor_page()
        floor_times = []
        for _ in range(200):
            started = time.perf_counter()
            floor_page()
            floor_times.append((time.perf_counter() - started) * 1000)
        times = []
        sizes = []
        for content, seal, superseded in jobs:
            started = time.perf_counter()
            pdf = render_certificate(content, seal, superseded=superseded)
            times.append((time.perf_counter() - started) * 1000)
            sizes.append(len(pdf))
    mean = statistics.fmean(times)
    p95 = statistics.quantiles(times, n=20)[18]
    floor = statistics.fmean(floor_times)
    log(f"floor (one-line reportlab page): {floor:.2f} ms")
    log(
        f"certificate PDF: mean {mean:.2f} ms, p95 {p95:.2f} ms, max {max(times):.2f} ms, "
        f"{statistics.fmean(sizes) / 1024:.1f} KiB on average over {len(times)} certificates "
        f"({mean / floor:.1f}× the floor)"
    )
    return report(
        "certificate_pdf",
        figure=mean,
        unit="ms_per_certificate",
        target="<20ms",
        passed=mean < 20 and p95 < 20,
        floor={"ms": round(floor, 3)},
        details={"count": len(times), "p95_ms": round(p95, 3), "max_ms": round(max(times), 3)},
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
