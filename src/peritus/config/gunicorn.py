"""gunicorn defaults for Peritus (override on the command line or with GUNICORN_CMD_ARGS)."""

import os

bind = os.environ.get("PERITUS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PERITUS_WORKERS", str(max(2, (os.cpu_count() or 1)))))
worker_class = "gthread"
threads = int(os.environ.get("PERITUS_THREADS", "4"))
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("PERITUS_ACCESS_LOG", "-")
max_requests = 5000
max_requests_jitter = 500
