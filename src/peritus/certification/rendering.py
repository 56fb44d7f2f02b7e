"""Rendering many certificate PDFs at once, on every core (bulk issuance: ≥ 200 a second).

A PDF takes a few milliseconds of pure-Python work (reportlab, segno), so a large batch is
rendered by a pool of worker processes while the issuing process writes the records. Workers are
started with `spawn` (never `fork`: the caller may be a threaded web worker holding database
connections) and only render: they never touch the database.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings

from peritus.certification.pdf import CertificateContent, Seal, Superseded, render_certificate

PARALLEL_THRESHOLD = 48  # below this, starting or feeding workers costs more than it saves

_pool: concurrent.futures.ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


@dataclasses.dataclass(frozen=True)
class RenderJob:
    snapshot: dict[str, Any]
    seal: Seal
    superseded: Superseded | None = None


def render(job: RenderJob) -> bytes:
    content = CertificateContent.from_snapshot(job.snapshot)
    return render_certificate(content, job.seal, superseded=job.superseded)


def configured_workers() -> int:
    return int(settings.PERITUS.get("PDF_WORKERS", os.cpu_count() or 1))


def _initialise_worker() -> None:
    import django

    django.setup()


def _worker_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    global _pool  # noqa: PLW0603 - one pool per process, started on first use
    with _pool_lock:
        if _pool is None:
            _pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_initialise_worker,
            )
        return _pool


def shutdown_pool() -> None:
    global _pool  # noqa: PLW0603
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown()
            _pool = None


def render_all(jobs: Sequence[RenderJob], *, parallel: bool | None = None) -> list[bytes]:
    """PDFs for `jobs`, in order; in worker processes when the batch is large enough."""
    return list(render_iter(jobs, parallel=parallel))


def render_iter(jobs: Sequence[RenderJob], *, parallel: bool | None = None) -> Iterator[bytes]:
    """PDFs for `jobs`, in order, as they are ready.

    With the worker pool every job is handed out at once, so the caller can write its records
    while the PDFs are being rendered and collect them afterwards; without it, each PDF is
    rendered when asked for.
    """
    workers = configured_workers()
    use_pool = parallel if parallel is not None else len(jobs) >= PARALLEL_THRESHOLD
    if not use_pool or workers < 2:
        return (render(job) for job in jobs)
    chunk = max(1, min(16, len(jobs) // (workers * 8)))
    return _worker_pool(workers).map(render, jobs, chunksize=chunk)
