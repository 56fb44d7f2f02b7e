"""gunicorn defaults for Peritus (override on the command line or with GUNICORN_CMD_ARGS)."""

import gc
import os

bind = os.environ.get("PERITUS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PERITUS_WORKERS", str(max(2, (os.cpu_count() or 1)))))
worker_class = "gthread"
threads = int(os.environ.get("PERITUS_THREADS", "4"))
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("PERITUS_ACCESS_LOG", "-")
# Workers are forked from a master that has already loaded Django, so a worker that is replaced
# (after max_requests, or when one dies) answers again within milliseconds instead of the second
# or two a cold import takes; under steady load a cold restart showed up as a long latency tail.
preload_app = True
# A guard against slow leaks, not a routine: a restart every few thousand requests was a
# restart every few seconds per worker at the throughput public verification sees.
max_requests = int(os.environ.get("PERITUS_MAX_REQUESTS", "200000"))
max_requests_jitter = max_requests // 10


def when_ready(server: object) -> None:
    """Move everything the master loaded (Django, the URL map, templates) out of the collector's
    reach before workers fork: a worker's full collections then walk only what it made itself,
    instead of pausing a request for the whole loaded application."""
    if os.environ.get("PERITUS_GC_FREEZE", "true") != "false":
        gc.freeze()
