"""Public verification (page and JSON) over 1,000,000 certificates on PostgreSQL.

Target (product.md §5): ≥ 70 % of the floor's throughput and p99 < 20 ms at 50 connections,
where the floor is a trivial view served by the same gunicorn configuration (same settings,
middleware and workers) in the same run, with load from wrk on loopback.

The benchmark builds its own database (`peritus_bench_verification`), migrates it, fills it with
COPY (seeded: the same rows on every run), serves it with gunicorn, measures the floor, the page
and the JSON endpoint over random numbers, prints the ratios and drops the database.

    .venv/bin/python tests/bench/bench_verification.py [--count N] [--duration S]

This module also holds the pieces the other certification benchmarks share (database, COPY,
gunicorn with a floor view, wrk).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import io
import json
import os
import pathlib
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from harness import ROOT, report

BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = os.environ.get("PERITUS_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
CONNECTIONS = 50
SEED = 17024

FLOOR_URLS = """
from django.http import JsonResponse
from django.urls import include, path


def floor(request):
    return JsonResponse({"status": "ok"})


# Last, like any application view: it pays the same URL resolution as the pages it is compared to.
urlpatterns = [path("", include("peritus.config.urls")), path("bench/floor/", floor)]
"""
BARE_APPLICATION = """
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "15")])
    return [b'{"status":"ok"}']
"""
BENCH_SETTINGS = """
from peritus.config.settings import *  # noqa: F403
ROOT_URLCONF = "bench_floor_urls"
"""


def log(message: str) -> None:
    print(message, flush=True)


# Database ---------------------------------------------------------------------------------------


def database_url(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(statement)


@contextlib.contextmanager
def bench_database(name: str, env: dict[str, str]) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, dropped afterwards whatever happens."""
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    try:
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "peritus"), "migrate", "--no-input", "-v", "0"],
            check=True,
            env={**env, "DATABASE_URL": url},
        )
        log(f"migrated {name} in {time.perf_counter() - started:.1f} s")
        subprocess.run(
            [str(BIN / "peritus"), "collectstatic", "--no-input", "-v", "0"],
            check=True,
            env={**env, "DATABASE_URL": url},
        )
        yield url
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        log(f"dropped {name}")


def bench_var_dir(name: str) -> pathlib.Path:
    """The benchmark's own var directory (signing key, static files, cache, PDFs), new for the
    run and removed when the process ends, whatever happens."""
    path = ROOT / "var" / "bench" / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    atexit.register(shutil.rmtree, path, True)
    return path


def base_environment(var_dir: pathlib.Path) -> dict[str, str]:
    """Production settings (no DEBUG), valid secrets, a generated signing key, mail never sent."""
    (var_dir / "static").mkdir(parents=True, exist_ok=True)
    key_file = var_dir / "signing-key.pem"
    if not key_file.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key_file.write_bytes(
            Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PERITUS_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        {
            "SECRET_KEY": "bench-" + "x" * 60,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EMAIL_URL": "smtp://127.0.0.1:1",
            "PERITUS_SIGNING_KEY": str(key_file),
            "PERITUS_HTTPS": "false",
            "PERITUS_VAR_DIR": str(var_dir),
            "PERITUS_LOG_LEVEL": "ERROR",
            "PERITUS_ACCESS_LOG": "/dev/null",
        }
    )
    if redis_available():
        env["PERITUS_CACHE_URL"] = "redis://127.0.0.1:6379/9"
    return env


def redis_available() -> bool:
    """Redis on loopback and its client installed (Django's RedisCache needs the `redis` package)."""
    import importlib.util

    if importlib.util.find_spec("redis") is None:
        return False
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def setup_django(env: dict[str, str], url: str) -> None:
    os.environ.update(env)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "peritus.config.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# COPY -------------------------------------------------------------------------------------------


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, separators=(",", ":"))
    elif isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    text = str(value)
    if any(character in text for character in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def copy_rows(model: Any, rows: Iterable[dict[str, Any]], *, chunk: int = 20000) -> int:
    """COPY `rows` into the model's table; fields not given take their model default."""
    from django.db import connection

    now = dt.datetime.now(dt.UTC)
    fields = list(model._meta.concrete_fields)
    columns = [field.column for field in fields]
    defaults: list[Callable[[], Any]] = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults.append(lambda: now)
        elif field.has_default():
            defaults.append(field.get_default)
        elif field.null:
            defaults.append(lambda: None)
        else:
            defaults.append(lambda: "")
    names = [field.attname for field in fields]
    count = 0
    statement = f'COPY "{model._meta.db_table}" ({", ".join(columns)}) FROM STDIN'
    with connection.cursor() as cursor, cursor.connection.cursor().copy(statement) as copy:
        buffer = io.StringIO()
        for row in rows:
            buffer.write(
                "\t".join(
                    _copy_value(row[name] if name in row else default())
                    for name, default in zip(names, defaults, strict=True)
                )
            )
            buffer.write("\n")
            count += 1
            if count % chunk == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def reset_sequence(model: Any) -> None:
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'coalesce((SELECT max(id) FROM "{table}"), 1))'
        )


GIVEN = [
    "Ada",
    "Alma",
    "Amara",
    "Anton",
    "Arne",
    "Bea",
    "Bruno",
    "Carla",
    "Cem",
    "Dana",
    "Elin",
    "Emil",
    "Erik",
    "Eva",
    "Farid",
    "Greta",
    "Hana",
    "Ines",
    "Ivo",
    "Jana",
    "Jonas",
    "Kai",
    "Kenji",
    "Lea",
    "Leon",
    "Lina",
    "Luca",
    "Maja",
    "Malik",
    "Mara",
    "Marco",
    "Mia",
    "Nils",
    "Noor",
    "Olga",
    "Omar",
    "Paul",
    "Priya",
    "Rui",
    "Sara",
    "Selma",
    "Sofia",
    "Tariq",
    "Teo",
    "Una",
    "Vera",
    "Yara",
    "Yusuf",
    "Zoe",
]
SYLLABLES = [
    "an",
    "ber",
    "cas",
    "dal",
    "en",
    "fer",
    "gar",
    "hol",
    "ist",
    "jan",
    "kov",
    "lind",
    "mar",
    "nor",
    "ost",
    "per",
    "quist",
    "ros",
    "sen",
    "tor",
    "ul",
    "vik",
    "wen",
    "yar",
    "zan",
    "bra",
    "chu",
    "dro",
    "fle",
    "gri",
    "kla",
    "mon",
    "pet",
    "sil",
    "tam",
]


def family_name(rng: random.Random) -> str:
    parts = rng.randint(2, 3)
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def seed_register(*, count: int, listed_fraction: float = 0.7) -> dict[str, Any]:
    """One scheme version and `count` persons, imported decisions and certificates, by COPY.

    Status mix: 85 % valid, 5 % suspended, 5 % withdrawn, 5 % valid but past their expiry date
    (computed as expired at read time). Returns a sample of numbers and names for the load.
    """
    from django.contrib.auth import get_user_model

    from peritus.accounts.models import Person
    from peritus.certification import numbers
    from peritus.certification.models import (
        Certificate,
        CertificateNumberSeries,
        CertificationDecision,
    )
    from peritus.certification.validity import register_sort_name
    from peritus.schemes.models import Scheme, SchemeVersion, ScopeItem

    rng = random.Random(SEED)
    started = time.perf_counter()
    scheme = Scheme.objects.create(code="WI", slug="welding-inspector", name="Welding Inspector")
    version = SchemeVersion.objects.create(
        scheme=scheme, version="2026.1", validity_months=36, certificate_terms="Use it well."
    )
    SchemeVersion.objects.filter(pk=version.pk).update(status="published")
    ScopeItem.objects.create(scheme_version=version, code="L2", title="Level 2", level="2")
    CertificateNumberSeries.objects.create(scheme=scheme, prefix="WI", last_serial=count)
    recorder = get_user_model().objects.create_user(
        email="bench@peritus.example", given_names="Bench", family_name="Runner"
    )
    names = [(rng.choice(GIVEN), family_name(rng)) for _ in range(count)]
    now = dt.datetime.now(dt.UTC)
    today = now.date()

    copy_rows(
        Person,
        (
            {"id": index + 1, "given_names": given, "family_name": family}
            for index, (given, family) in enumerate(names)
        ),
    )
    copy_rows(
        CertificationDecision,
        (
            {
                "id": index + 1,
                "reference": f"D-{index + 1:08d}",
                "kind": "imported",
                "person_id": index + 1,
                "scheme_version_id": version.pk,
                "outcome": "grant",
                "rationale": "Imported for the benchmark",
                "decided_at": now,
                "evidence_snapshot": {},
                "source": "bench",
                "recorded_by_id": recorder.pk,
            }
            for index in range(count)
        ),
    )
    scope = [{"code": "L2", "title": "Level 2", "level": "2", "limitations": ""}]

    def certificates() -> Iterator[dict[str, Any]]:
        for index, (given, family) in enumerate(names):
            number = numbers.format_number("WI", index + 1)
            roll = rng.random()
            issued = today - dt.timedelta(days=rng.randint(0, 1000))
            expires = issued + dt.timedelta(days=3 * 365)
            status = "valid"
            if roll < 0.05:
                status = "suspended"
            elif roll < 0.10:
                status = "withdrawn"
            elif roll < 0.15:
                expires = today - dt.timedelta(days=rng.randint(1, 300))
                issued = expires - dt.timedelta(days=3 * 365)
            yield {
                "id": index + 1,
                "number": number,
                "number_key": numbers.number_key(number),
                "holder_id": index + 1,
                "holder_name": f"{given} {family}",
                "scheme_id": scheme.pk,
                "scheme_version_id": version.pk,
                "decision_id": index + 1,
                "scope": scope,
                "issued_on": issued,
                "valid_from": issued,
                "expires_on": expires,
                "status": status,
                "status_since": issued,
                "revision": 1,
                "register_listed": rng.random() < listed_fraction,
                "sort_name": register_sort_name(given, family),
            }

    copy_rows(Certificate, certificates())
    for model in (Person, CertificationDecision, Certificate):
        reset_sequence(model)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE certification_certificate")
        cursor.execute("VACUUM ANALYZE accounts_person")
    log(f"seeded {count:,} certificates in {time.perf_counter() - started:.1f} s")
    sample = rng.sample(range(count), min(count, 20000))
    return {
        "numbers": [numbers.format_number("WI", index + 1) for index in sample],
        "names": [names[index] for index in sample],
        "scheme_slug": scheme.slug,
    }


# Server and load --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], url: str, *, application: str = "peritus.config.wsgi"
) -> Iterator[str]:
    """The project's gunicorn configuration, plus a floor view at /bench/floor/ (or, with
    `application="bench_bare:application"`, a bare WSGI callable answering every path)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="peritus-bench-") as extra:
        pathlib.Path(extra, "bench_floor_urls.py").write_text(FLOOR_URLS)
        pathlib.Path(extra, "bench_settings.py").write_text(BENCH_SETTINGS)
        pathlib.Path(extra, "bench_bare.py").write_text(BARE_APPLICATION)
        server_env = {
            **env,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join([extra, str(ROOT / "src")]),
            "PERITUS_BIND": f"127.0.0.1:{port}",
        }
        errors = pathlib.Path(extra, "gunicorn.err")
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), application, "-c", "python:peritus.config.gunicorn"],
            env=server_env,
            stdout=subprocess.DEVNULL,
            stderr=errors.open("wb"),
            cwd=extra,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(
                base + ("/bench/floor/" if application == "peritus.config.wsgi" else "/"),
                process,
                errors,
            )
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            if os.environ.get("PERITUS_BENCH_DEBUG"):
                log(errors.read_text()[-3000:])


def wait_for(url: str, process: subprocess.Popen[bytes], errors: pathlib.Path) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {errors.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in 60 s")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=False)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is required: apt-get install -y wrk")
    return found


LUA_PATHS = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter * 7919) %% #paths + 1])
end
"""
LUA_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("BENCHJSON {\\"requests\\": %d, \\"seconds\\": %.3f, \\"p50\\": %d, "
    .. "\\"p95\\": %d, \\"p99\\": %d, \\"errors\\": %d, \\"non2xx\\": %d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status))
end
"""


def wrk(
    base: str,
    paths: list[str],
    *,
    connections: int = CONNECTIONS,
    duration: int = 15,
    threads: int = 2,
) -> dict[str, float]:
    """Requests per second and latency percentiles (ms) for GETs cycling through `paths`."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        quoted = ",".join(json.dumps(path) for path in paths)
        script.write(LUA_PATHS % quoted + LUA_DONE)
    try:
        completed = subprocess.run(
            [
                ensure_wrk(),
                f"-t{threads}",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                "5s",
                "-s",
                script.name,
                base,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(script.name)
    match = re.search(r"BENCHJSON (\{.*\})", completed.stdout)
    if not match:
        raise RuntimeError(completed.stdout + completed.stderr)
    raw = json.loads(match.group(1))
    if os.environ.get("PERITUS_BENCH_DEBUG"):
        log(completed.stdout)
    return {
        "rps": raw["requests"] / raw["seconds"],
        "p50_ms": raw["p50"] / 1000,
        "p95_ms": raw["p95"] / 1000,
        "p99_ms": raw["p99"] / 1000,
        "errors": raw["errors"],
        "non2xx": raw["non2xx"],
        "requests": raw["requests"],
    }


def describe(label: str, result: dict[str, float]) -> None:
    log(
        f"{label:<26} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:6.2f} ms  "
        f"p95 {result['p95_ms']:6.2f} ms  p99 {result['p99_ms']:6.2f} ms  "
        f"errors {int(result['errors'])}  non-2xx {int(result['non2xx'])}"
    )


# This benchmark ---------------------------------------------------------------------------------


def main() -> bool:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=15)
    args = parser.parse_args()

    env = base_environment(bench_var_dir("verification"))
    env["PERITUS_VERIFICATION_RATE_LIMIT"] = "100000000/m"  # the limiter runs, never refuses
    log(f"cache for the rate limiter: {env.get('PERITUS_CACHE_URL', 'file-based')}")
    with bench_database("peritus_bench_verification", env) as url:
        setup_django(env, url)
        sample = seed_register(count=args.count)
        page_paths = [f"/verify/{number}/" for number in sample["numbers"]]
        json_paths = [f"/api/v1/certificates/{number}/verification" for number in sample["numbers"]]
        from django.db import connections

        connections.close_all()
        with gunicorn(env, url) as base:
            wrk(base, ["/bench/floor/"], duration=3)  # warm up the workers
            wrk(base, page_paths, duration=3)
            wrk(base, json_paths, duration=3)
            floor = wrk(base, ["/bench/floor/"], duration=args.duration)
            page = wrk(base, page_paths, duration=args.duration)
            api = wrk(base, json_paths, duration=args.duration)
            # Without a queue: one request per core at a time, the latency of the path itself
            # (at 50 connections Little's law puts the mean at 50 ÷ throughput whatever the view).
            quiet = {
                label: wrk(base, paths, connections=2, threads=1, duration=max(3, args.duration // 3))
                for label, paths in (
                    ("floor", ["/bench/floor/"]), ("page", page_paths), ("json", json_paths)
                )
            }  # fmt: skip
        # The same server with the responder turned off: every verification through Django's
        # middleware, as before ADR 0024.
        with gunicorn({**env, "PERITUS_VERIFICATION_RESPONDER": "false"}, url) as base:
            wrk(base, page_paths, duration=3)
            django_floor = wrk(base, ["/bench/floor/"], duration=args.duration)
            django_page = wrk(base, page_paths, duration=args.duration)
            django_api = wrk(base, json_paths, duration=args.duration)
        # The server's own ceiling: the same gunicorn configuration around a bare WSGI callable
        # (no Django at all), the least latency 50 connections can see on this machine.
        with gunicorn(env, url, application="bench_bare:application") as base:
            ceiling = wrk(base, ["/"], duration=args.duration)
        connections.close_all()
    describe("floor (trivial JSON view)", floor)
    describe("verification page", page)
    describe("verification JSON", api)
    page_ratio = page["rps"] / floor["rps"]
    api_ratio = api["rps"] / floor["rps"]
    log(f"ratio to floor: page {page_ratio:.0%}, JSON {api_ratio:.0%} (target ≥ 70 %)")
    for label, result in quiet.items():
        describe(f"{label}, 2 connections", result)
    describe("floor, responder off", django_floor)
    describe("page, responder off", django_page)
    describe("JSON, responder off", django_api)
    log(
        "through Django's middleware (responder off): page "
        f"{django_page['rps'] / django_floor['rps']:.0%}, JSON "
        f"{django_api['rps'] / django_floor['rps']:.0%} of the floor"
    )
    describe("bare WSGI (server ceiling)", ceiling)
    log(
        f"p99 at {CONNECTIONS} connections: page {page['p99_ms']:.1f} ms, JSON "
        f"{api['p99_ms']:.1f} ms; the floor {floor['p99_ms']:.1f} ms and a bare WSGI callable "
        f"{ceiling['p99_ms']:.1f} ms on the same server (target < 20 ms)"
    )
    worst_ratio = min(page_ratio, api_ratio)
    worst_p99 = max(page["p99_ms"], api["p99_ms"])
    clean = all(result["errors"] == 0 and result["non2xx"] == 0 for result in (page, api, floor))
    passed = worst_ratio >= 0.70 and worst_p99 < 20 and clean
    return report(
        "verification",
        figure=worst_ratio * 100,
        unit="%_of_floor",
        target=">=70%_and_p99<20ms",
        passed=passed,
        floor={"rps": round(floor["rps"]), "p99_ms": floor["p99_ms"]},
        details={
            "certificates": args.count,
            "connections": CONNECTIONS,
            "page": page,
            "json": api,
            "p99_ms_worst": worst_p99,
            "at_2_connections": quiet,
            "cache": env.get("PERITUS_CACHE_URL", "file-based"),
            "responder_off": {
                "floor_rps": round(django_floor["rps"]),
                "page": django_page,
                "json": django_api,
            },
            "bare_wsgi_ceiling": ceiling,
        },
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
