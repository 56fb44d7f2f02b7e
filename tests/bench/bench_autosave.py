"""Exam autosave on PostgreSQL with gunicorn: ≥ 500 answer saves/s with p99 < 100 ms, and no
confirmed answer lost when a web worker is killed mid-load (product.md §5).

The benchmark builds its own database (`peritus_bench_autosave`): a published scheme version with
an exam component, a 40-item approved and released form, an online session and `--seats`
candidates who passed the entry gate and are sitting (through the services). Each candidate's
requests carry what their exam page holds: the CSRF cookie and token, and the answer token the
question page embeds (the answer save authenticates with it, not with the session).

1. **Throughput.** wrk on loopback, with a Lua script that posts form-encoded answer saves (each
   with its own idempotency key) to `/portal/exams/<seat>/answers/` round-robin over the seats;
   the floor, a trivial JSON view on the same gunicorn (same settings, middleware and workers),
   is measured in the same run.
2. **A worker killed mid-load.** A load script on loopback (threads with keep-alive connections)
   saves answers and, like the exam page, retries a save with the same key until the server
   confirms it; halfway, one gunicorn worker is killed with SIGKILL (the master starts another).
   At the end every key the client saw confirmed must be in the answer log, exactly once.

The database is dropped at the end.

    .venv/bin/python tests/bench/bench_autosave.py [--seats N] [--duration S] [--kill-duration S]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import pathlib
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any

from bench_verification import (
    BENCH_SETTINGS,
    BIN,
    FLOOR_URLS,
    base_environment,
    bench_database,
    describe,
    ensure_wrk,
    free_port,
    log,
    setup_django,
    wait_for,
    wrk,
)
from harness import ROOT, report

ITEMS = 40
CONNECTIONS = 50
TARGET_RPS = 500.0
TARGET_P99_MS = 100.0


# Data -------------------------------------------------------------------------------------------


def _staff(role: str, email: str) -> Any:
    from peritus.accounts.models import User
    from peritus.accounts.selectors import agreements_awaiting
    from peritus.accounts.services import accept_agreement, assign_role

    user = User.objects.create_user(email=email, given_names="Bench", family_name=role.title())
    assign_role(actor=None, user=user, role=role, reason="Benchmark")
    for agreement in agreements_awaiting(user):
        accept_agreement(actor=user, agreement=agreement)
    return User.objects.get(pk=user.pk)


def seed(seats: int) -> list[dict[str, str]]:
    """The session and its sitting candidates; returns what each candidate's exam page holds."""
    import datetime as dt
    from decimal import Decimal

    from django.conf import settings
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from peritus.accounts.models import Person, User
    from peritus.accounts.roles import RoleCode
    from peritus.applications.models import Application, ApplicationStatus
    from peritus.exams.delivery import gate, sessions
    from peritus.exams.delivery.tokens import answer_token
    from peritus.exams.models import EventCandidate
    from peritus.exams.services import (
        CandidateDeclaration,
        assign_personnel,
        declare_event_interests,
    )
    from peritus.itembank.models import (
        Blueprint,
        BlueprintStatus,
        ExamForm,
        ExamFormEntry,
        FormStatus,
        ItemBank,
        PassRule,
    )
    from peritus.itembank.qti.content import InteractionType, ItemContent, Option
    from peritus.itembank.services import create_item
    from peritus.itembank.statistics.models import (
        FormRelease,
        StandardSettingStudy,
        StudyStatus,
    )
    from peritus.schemes.models import (
        AssessmentComponent,
        AssessmentComponentKind,
        CompetenceDomain,
        Scheme,
        SchemeVersion,
    )

    started = time.perf_counter()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seeding only
    officer = _staff(RoleCode.CERTIFICATION_OFFICER, "officer@bench.example")
    invigilator = _staff(RoleCode.INVIGILATOR, "invigilator@bench.example")
    author = _staff(RoleCode.ITEM_AUTHOR, "author@bench.example")
    scheme = Scheme.objects.create(code="CSP", slug="cloud-security", name="Cloud Security")
    version = SchemeVersion.objects.create(
        scheme=scheme, version="2026.1", validity_months=36, status="published"
    )
    domain = CompetenceDomain.objects.create(
        scheme_version=version, code="C1", title="Cloud security", weight=Decimal(100)
    )
    component = AssessmentComponent.objects.create(
        scheme_version=version, code="EXAM", name="Online examination",
        kind=AssessmentComponentKind.EXAM, max_score=Decimal(100), pass_mark=Decimal(70),
    )  # fmt: skip
    bank = ItemBank.objects.create(scheme=scheme, slug="cloud-items", name="Cloud items")
    items = [
        create_item(
            actor=author,
            bank=bank,
            identifier=f"CS-{n:03d}",
            title=f"Item {n}",
            competence_domain=domain,
            content=ItemContent(
                interaction=InteractionType.SINGLE_CHOICE,
                stem=f"<p>Question {n}: which control limits a leaked key's damage?</p>",
                options=tuple(Option(letter, f"Option {letter}") for letter in "ABCD"),
                key=("ABCD"[n % 4],),
                shuffle=True,
            ),
        )
        for n in range(1, ITEMS + 1)
    ]
    blueprint = Blueprint.objects.create(
        bank=bank, component=component, name="Online exam", total_items=ITEMS,
        time_limit_minutes=600, pass_rule=PassRule.STANDARD_SETTING, status=BlueprintStatus.APPROVED,
    )  # fmt: skip
    form = ExamForm.objects.create(
        blueprint=blueprint, code="CSP-BENCH", status=FormStatus.APPROVED, assembled_by=author,
        approved_by=author, approved_at=timezone.now(),
    )  # fmt: skip
    for position, item in enumerate(items, start=1):
        assert item.current_version is not None
        ExamFormEntry.objects.create(
            form=form, position=position, item_version=item.current_version, points=Decimal(1)
        )
    study = StandardSettingStudy.objects.create(
        form=form, facilitator=author, status=StudyStatus.APPROVED, candidate_description="-",
        cut_score=Decimal(28), pass_mark=Decimal(28), decided_by=author, decided_at=timezone.now(),
    )  # fmt: skip
    FormRelease.objects.create(
        form=form, study=study, released_by=author, released_at=timezone.now()
    )
    session = sessions.schedule_session(
        actor=officer, component=component, form=form, starts_at=timezone.now(),
        location="Online", capacity=seats, booking_closes_at=timezone.now() - dt.timedelta(hours=1),
        late_start_minutes=240,
    )  # fmt: skip
    assign_personnel(actor=officer, event=session.event, user=invigilator, role="invigilator")
    result = []
    users = User.objects.bulk_create(
        User(email=f"sitter{n:05d}@bench.example", given_names="Sam", family_name=f"Sitter{n:05d}",
             password="!")  # no password: the benchmark signs them in with a session
        for n in range(seats)
    )  # fmt: skip
    persons = Person.objects.bulk_create(
        Person(user=user, given_names=user.given_names, family_name=user.family_name,
               email=user.email)
        for user in users
    )  # fmt: skip
    applications = Application.objects.bulk_create(
        Application(person=person, scheme=scheme, scheme_version=version,
                    status=ApplicationStatus.ELIGIBLE)
        for person in persons
    )  # fmt: skip
    candidates = [
        (user, sessions.book_seat(actor=officer, session=session, application=application))
        for user, application in zip(users, applications, strict=True)
    ]
    declare_event_interests(
        actor=invigilator, event=session.event,
        declarations=[CandidateDeclaration(entry, has_conflict=False)
                      for entry in EventCandidate.objects.filter(event=session.event)],
    )  # fmt: skip
    for user, attempt in candidates:
        gate.check_in(actor=user, attempt=attempt, accept_rules=True, accept_nda=True)
        gate.record_identity_check(
            actor=invigilator, attempt=attempt, document="passport", release=True
        )
        gate.start_attempt(actor=user, attempt=attempt)
        token = get_random_string(32)
        result.append(
            {
                "reference": attempt.reference,
                # What the exam page holds: the CSRF cookie and token, and the answer token it
                # embeds for the attempt (the save reads neither the session nor the user).
                "cookie": f"csrftoken={token}",
                "csrf": token,
                "answer_token": answer_token(
                    reference=attempt.reference, candidate_id=attempt.candidate_id
                ),
            }
        )
    log(
        f"seeded a {ITEMS}-item form and {seats} sitting candidates in {time.perf_counter() - started:.1f} s"
    )
    return result


# Server -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def serve(env: dict[str, str], url: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The project's gunicorn configuration with the floor view; yields the URL and the master."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="peritus-bench-") as extra:
        pathlib.Path(extra, "bench_floor_urls.py").write_text(FLOOR_URLS)
        pathlib.Path(extra, "bench_settings.py").write_text(BENCH_SETTINGS)
        server_env = {
            **env,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join([extra, str(ROOT / "src")]),
            "PERITUS_BIND": f"127.0.0.1:{port}",
        }
        errors = pathlib.Path(extra, "gunicorn.err")
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "peritus.config.wsgi", "-c", "python:peritus.config.gunicorn"],
            env=server_env, stdout=subprocess.DEVNULL, stderr=errors.open("wb"), cwd=extra,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base + "/bench/floor/", process, errors)
            yield base, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            if os.environ.get("PERITUS_BENCH_DEBUG"):
                log(errors.read_text()[-3000:])


def workers_of(master: subprocess.Popen[bytes]) -> list[int]:
    """The gunicorn workers: the children of the master this benchmark started."""
    children = pathlib.Path(f"/proc/{master.pid}/task/{master.pid}/children")
    return [int(pid) for pid in children.read_text().split()]


# Throughput: wrk with a Lua script ----------------------------------------------------------------

LUA_SAVES = """
local seats = %s
local items = %d
local run = "%s"
local counter = 0
local created = 0
id = 0
setup = function(thread)
  created = created + 1
  thread:set("id", created)
end
request = function()
  counter = counter + 1
  local seat = seats[(counter * 7 + id * 13) %% #seats + 1]
  local position = (counter %% items) + 1
  local body = "position=" .. position .. "&key=" .. run .. "-" .. id .. "-"
    .. string.format("%%08d", counter)
    .. "&response=" .. string.sub("ABCD", counter %% 4 + 1, counter %% 4 + 1)
  return wrk.format("POST", "/portal/exams/" .. seat.ref .. "/answers/", {
    ["Cookie"] = seat.cookie, ["X-CSRFToken"] = seat.csrf, ["X-Exam-Token"] = seat.token,
    ["Content-Type"] = "application/x-www-form-urlencoded", ["Accept"] = "application/json",
  }, body)
end
local shown = 0
response = function(status, headers, body)
  if status ~= 200 and shown < 3 then
    shown = shown + 1
    io.write("NON200 " .. status .. " " .. string.sub(body, 1, 200) .. "\\n")
  end
end
"""


def wrk_saves(
    base: str,
    seats: list[dict[str, str]],
    *,
    run: str,
    duration: int,
    connections: int = CONNECTIONS,
) -> dict[str, float]:
    from bench_verification import LUA_DONE

    rows = [
        f"{{ref={json.dumps(s['reference'])},cookie={json.dumps(s['cookie'])},"
        f"csrf={json.dumps(s['csrf'])},token={json.dumps(s['answer_token'])}}}"
        for s in seats
    ]
    table = "{" + ",".join(rows) + "}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA_SAVES % (table, ITEMS, run) + LUA_DONE)
    try:
        completed = subprocess.run(
            [ensure_wrk(), "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
             "-s", script.name, base],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    match = re.search(r"BENCHJSON (\{.*\})", completed.stdout)
    if not match:
        raise RuntimeError(completed.stdout + completed.stderr)
    raw = json.loads(match.group(1))
    for line in re.findall(r"NON200 .*", completed.stdout)[:6]:
        log(line)
    if not raw["requests"]:
        raise RuntimeError("wrk sent nothing: " + completed.stdout + completed.stderr)
    return {
        "rps": raw["requests"] / raw["seconds"],
        "p50_ms": raw["p50"] / 1000,
        "p95_ms": raw["p95"] / 1000,
        "p99_ms": raw["p99"] / 1000,
        "errors": raw["errors"],
        "non2xx": raw["non2xx"],
        "requests": raw["requests"],
    }


# A worker killed mid-load: the retrying client ------------------------------------------------------


class RetryingClient:
    """Like the exam page: every save keeps its key and is retried until the server confirms it."""

    def __init__(
        self, base: str, seats: list[dict[str, str]], *, threads: int, duration: float
    ) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.seats = seats
        self.threads = threads
        self.duration = duration
        self.lock = threading.Lock()
        self.confirmed: set[str] = set()
        self.duplicates = 0  # retries the server confirmed as already stored
        self.failures = 0  # attempts that got no confirmation (connection reset, 5xx, timeout)
        self.refused: dict[str, int] = {}
        self.unconfirmed: list[str] = []

    def run(self) -> None:
        workers = [threading.Thread(target=self._work, args=(n,)) for n in range(self.threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    def _connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=10)

    def _work(self, number: int) -> None:
        mine = self.seats[number :: self.threads]
        connection = self._connection()
        stop = time.monotonic() + self.duration
        counter = 0
        while time.monotonic() < stop:
            counter += 1
            seat = mine[counter % len(mine)]
            key = f"kill-{number}-{counter}"
            body = f"position={counter % ITEMS + 1}&key={key}&response={'ABCD'[counter % 4]}"
            headers = {
                "Cookie": seat["cookie"], "X-CSRFToken": seat["csrf"],
                "X-Exam-Token": seat["answer_token"],
                "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
            }  # fmt: skip
            path = f"/portal/exams/{seat['reference']}/answers/"
            backoff = 0.05
            give_up = time.monotonic() + 60
            while True:
                try:
                    connection.request("POST", path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    status, payload = 0, b""
                    connection.close()
                    connection = self._connection()
                if status == 200:
                    data = json.loads(payload)
                    with self.lock:
                        self.confirmed.add(key)
                        self.duplicates += int(bool(data.get("duplicate")))
                    break
                if status and status < 500:
                    code = json.loads(payload or b"{}").get("code", str(status))
                    with self.lock:
                        self.refused[code] = self.refused.get(code, 0) + 1
                    break
                with self.lock:
                    self.failures += 1
                if time.monotonic() > give_up:
                    with self.lock:
                        self.unconfirmed.append(key)
                    break
                time.sleep(backoff)
                backoff = min(backoff * 2, 1.0)
        connection.close()


def kill_run(
    base: str, master: subprocess.Popen[bytes], seats: list[dict[str, str]], duration: float
) -> dict[str, Any]:
    client = RetryingClient(base, seats, threads=24, duration=duration)
    runner = threading.Thread(target=client.run)
    started = time.perf_counter()
    runner.start()
    time.sleep(duration / 2)
    before = workers_of(master)
    victim = before[0]
    os.kill(victim, signal.SIGKILL)  # a worker this benchmark's gunicorn started
    log(f"killed gunicorn worker {victim} with SIGKILL at {time.perf_counter() - started:.1f} s")
    runner.join()
    elapsed = time.perf_counter() - started
    time.sleep(1)
    after = workers_of(master)
    from peritus.exams.models import AnswerEvent

    keys = sorted(client.confirmed)
    stored: dict[str, int] = {}
    for start in range(0, len(keys), 5000):
        for key in AnswerEvent.objects.filter(
            idempotency_key__in=keys[start : start + 5000]
        ).values_list("idempotency_key", flat=True):
            stored[key] = stored.get(key, 0) + 1
    missing = [key for key in keys if key not in stored]
    twice = [key for key, count in stored.items() if count > 1]
    kill_keys = AnswerEvent.objects.filter(idempotency_key__startswith="kill-")
    return {
        "confirmed": len(keys),
        "stored_kill_run_rows": kill_keys.count(),
        "missing": len(missing),
        "stored_twice": len(twice),
        "confirmed_on_retry_as_duplicate": client.duplicates,
        "failed_tries_retried": client.failures,
        "refused": client.refused,
        "unconfirmed_after_60s": len(client.unconfirmed),
        "saves_per_s": round(len(keys) / elapsed, 1),
        "killed_worker": victim,
        "workers_before": before,
        "workers_after": after,
    }


# The benchmark --------------------------------------------------------------------------------------


def main() -> bool:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seats", type=int, default=200)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--kill-duration", type=int, default=20)
    args = parser.parse_args()

    var_dir = ROOT / "var" / "bench" / "autosave"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = base_environment(var_dir)
    with bench_database("peritus_bench_autosave", env) as url:
        setup_django(env, url)
        seats = seed(args.seats)
        from django.db import connections

        from peritus.exams.models import AnswerEvent

        connections.close_all()
        with serve(env, url) as (base, _master):
            wrk(base, ["/bench/floor/"], duration=3)  # warm up the workers
            wrk_saves(base, seats, run="warm", duration=3)
            floor = wrk(base, ["/bench/floor/"], duration=args.duration)
            saves = wrk_saves(base, seats, run="measure", duration=args.duration)
        stored = AnswerEvent.objects.filter(idempotency_key__startswith="measure-").count()
        connections.close_all()
        with serve(env, url) as (base, master):
            killed = kill_run(base, master, seats, args.kill_duration)
        connections.close_all()

    describe("floor (trivial JSON view)", floor)
    describe("answer saves", saves)
    log(f"answer saves stored in the throughput run: {stored} of {int(saves['requests'])} requests")
    log(
        "worker killed mid-load: "
        + json.dumps({k: v for k, v in killed.items() if "workers" not in k})
    )
    kept = (
        killed["missing"] == 0
        and killed["stored_twice"] == 0
        and killed["unconfirmed_after_60s"] == 0
        and killed["confirmed"] > 0
        and killed["killed_worker"] not in killed["workers_after"]
    )
    passed = (
        saves["rps"] >= TARGET_RPS
        and saves["p99_ms"] < TARGET_P99_MS
        and saves["errors"] == 0
        and saves["non2xx"] == 0
        and kept
    )
    return report(
        "autosave",
        figure=saves["rps"],
        unit="saves/s",
        target=f">= {TARGET_RPS:.0f} saves/s, p99 < {TARGET_P99_MS:.0f} ms, no confirmed save lost",
        passed=passed,
        floor={"rps": round(floor["rps"], 1), "p99_ms": floor["p99_ms"]},
        details={
            "p50_ms": saves["p50_ms"],
            "p95_ms": saves["p95_ms"],
            "p99_ms": saves["p99_ms"],
            "ratio_to_floor": round(saves["rps"] / floor["rps"], 3),
            "stored": stored,
            "seats": args.seats,
            "connections": CONNECTIONS,
            "worker_killed": {k: v for k, v in killed.items() if "workers" not in k},
        },
    )


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
