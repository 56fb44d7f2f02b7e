"""`peritus tick`, the certification jobs, over 1,000,000 certificates on PostgreSQL.

Target (issue 8): with 10,000 certificates expiring today the run finishes in under 60 s, and a
second run in under 5 s.

The benchmark builds its own database (`peritus_bench_tick`), migrates it and seeds it inside
PostgreSQL with `INSERT … SELECT generate_series` (seconds, not minutes), in the steady state of
a body whose tick runs daily:

* 1,000,000 persons with an address, their imported decisions and certificates: 1 % expired
  already, 1 % withdrawn, 1 % suspended (with their decisions and suspensions; 100 of them past
  their deadline), 10,000 valid ones whose last day of validity was yesterday, and the rest valid
  with expiry dates spread over the next three years;
* the reminders already sent before today (90/30/7 days), so today's are those whose threshold
  falls today (about 900 a threshold).

It then times `peritus tick --now <today 02:00> --job certification-expiry --job
certification-expiry-reminders --job certification-suspension-deadlines` (first run), the same
with `--force` (second run: every job runs again and finds nothing left), checks what was
written (each expiry once: status, status row, audit event, notice; the audit chain intact) and
drops the database.

The floors are measured in the same run on the same database: for the first run, the same rows
written by bare set-based SQL (one UPDATE and INSERT … SELECT for status rows, history rows,
reminder rows, notices with a fixed text and audit events with a SHA-256 computed by PostgreSQL),
rolled back; for the second run, the three selections of what is due, as bare SQL.

    .venv/bin/python tests/bench/bench_tick.py [--count N] [--expiring E]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any

from bench_verification import (
    base_environment,
    bench_database,
    bench_var_dir,
    log,
    reset_sequence,
    setup_django,
)
from harness import report

JOBS = (
    "certification-expiry",
    "certification-expiry-reminders",
    "certification-suspension-deadlines",
)
THRESHOLDS = (90, 30, 7)
PAST_DEADLINE = 100


def insert_select(
    model: Any, values: dict[str, str], source: str, params: Sequence[Any] = ()
) -> int:
    """`INSERT INTO <model's table> SELECT … <source>`: `values` gives SQL expressions by attname,
    every other column takes its model default as a typed constant. Returns the row count."""
    from django.db import connection

    now = dt.datetime.now(dt.UTC)
    columns: list[str] = []
    expressions: list[str] = []
    constants: list[Any] = []
    for field in model._meta.concrete_fields:
        if field.attname in values:
            columns.append(f'"{field.column}"')
            expressions.append(values[field.attname])
            continue
        if field.primary_key:
            continue  # the sequence
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: Any = now
        else:
            value = field.get_default()
        if value is None and not field.null:
            raise ValueError(f"{model.__name__}.{field.attname} needs a value")
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        elif value is not None and not isinstance(value, (bool, int, dt.date)):
            value = str(value)
        columns.append(f'"{field.column}"')
        expressions.append(f"CAST(%s AS {field.db_type(connection)})")
        constants.append(value)
    statement = (
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '
        f"SELECT {', '.join(expressions)} {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*constants, *params])
        return int(cursor.rowcount)


@contextlib.contextmanager
def indexes_built_after(*tables: str) -> Iterator[None]:
    """Drop the tables' plain (non-unique) indexes, and build them again at the end: one sort
    per index instead of a million inserts into each (the register's trigram index above all)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = ANY(%s) AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)


def seed(*, count: int, expiring: int, today: dt.date) -> dict[str, Any]:
    """The steady state of a daily tick (see the module's docstring), seeded in SQL."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from peritus.accounts.models import Person
    from peritus.accounts.selectors import agreements_awaiting
    from peritus.accounts.services import accept_agreement, assign_role
    from peritus.certification.models import (
        Certificate,
        CertificateNumberSeries,
        CertificationDecision,
        ExpiryReminder,
        LifecycleDecision,
        Suspension,
    )
    from peritus.schemes.models import Scheme, SchemeVersion, ScopeItem

    started = time.perf_counter()
    scheme = Scheme.objects.create(code="WI", slug="welding-inspector", name="Welding Inspector")
    version = SchemeVersion.objects.create(
        scheme=scheme, version="2026.1", validity_months=36, certificate_terms="Use it well."
    )
    SchemeVersion.objects.filter(pk=version.pk).update(status="published")
    ScopeItem.objects.create(scheme_version=version, code="L2", title="Level 2", level="2")
    CertificateNumberSeries.objects.create(scheme=scheme, prefix="WI", last_serial=count)
    users = get_user_model().objects
    recorder = users.create_user(
        email="bench@peritus.example", given_names="Bench", family_name="Runner"
    )
    decider = users.create_user(
        email="decider@peritus.example", given_names="Dana", family_name="Okafor"
    )
    assign_role(actor=None, user=decider, role="decision_maker", reason="Benchmark")
    for agreement in agreements_awaiting(decider):
        accept_agreement(actor=decider, agreement=agreement)

    every = max(count // expiring, 2)  # 1 in `every` certificates expired yesterday
    day = f"DATE '{today.isoformat()}'"  # our own value, inlined: placeholders go to FROM
    series = "FROM generate_series(1, %s) AS g"
    with indexes_built_after(
        "accounts_person", "certification_certificationdecision", "certification_certificate"
    ):
        insert_select(
            Person,
            {
                "id": "g",
                "given_names": "'Holder'",
                "family_name": "'Number ' || g",
                "email": "'holder' || g || '@bench.example'",
            },
            series,
            [count],
        )
        insert_select(
            CertificationDecision,
            {
                "id": "g",
                "reference": "'D-' || lpad(g::text, 8, '0')",
                "kind": "'imported'",
                "person_id": "g",
                "scheme_version_id": str(version.pk),
                "outcome": "'grant'",
                "rationale": "'Imported for the benchmark'",
                "decided_at": "now()",
                "source": "'bench'",
                "recorded_by_id": str(recorder.pk),
                "evidence_snapshot": "'{}'::jsonb",
            },
            series,
            [count],
        )
        # kind: 0 expires today (last day yesterday), 1 expired long ago, 2 withdrawn, 3 suspended,
        # 4 valid; expiry dates of the valid ones spread over the next 1,095 days.
        kind = (
            f"(CASE WHEN g %% {every} = 0 THEN 0 WHEN g %% 100 = 11 THEN 1 "
            "WHEN g %% 100 = 22 THEN 2 WHEN g %% 100 = 33 THEN 3 ELSE 4 END)"
        )
        expires = (
            f"(CASE {kind} WHEN 0 THEN {day} - 1 WHEN 1 THEN {day} - 1 - (g %% 700)::int "
            f"ELSE {day} + 1 + ((g::bigint * 7919) %% 1095)::int END)"
        )
        insert_select(
            Certificate,
            {
                "id": "g",
                "number": "'WI-' || lpad(g::text, 7, '0')",
                "number_key": "'WI' || lpad(g::text, 7, '0')",
                "holder_id": "g",
                "holder_name": "'Holder Number ' || g",
                "scheme_id": str(scheme.pk),
                "scheme_version_id": str(version.pk),
                "decision_id": "g",
                "scope": """'[{"code": "L2", "title": "Level 2", "level": "2", "limitations": ""}]'""",
                "issued_on": f"{expires} - 1095",
                "valid_from": f"{expires} - 1095",
                "expires_on": expires,
                "status": (
                    f"(CASE {kind} WHEN 1 THEN 'expired' WHEN 2 THEN 'withdrawn' "
                    "WHEN 3 THEN 'suspended' ELSE 'valid' END)"
                ),
                "status_since": (
                    f"(CASE {kind} WHEN 1 THEN {expires} + 1 WHEN 2 THEN {day} - 30 "
                    f"WHEN 3 THEN {day} - 30 ELSE {expires} - 1095 END)"
                ),
                "register_listed": "(g %% 10 < 7)",
                "sort_name": "'number ' || g || ' holder'",
            },
            series,
            [count],
        )
    suspended = "FROM certification_certificate c WHERE c.status = 'suspended' AND c.id <= %s"
    insert_select(
        LifecycleDecision,
        {
            "id": "c.id",
            "reference": "'L-' || lpad(c.id::text, 8, '0')",
            "certificate_id": "c.id",
            "action": "'suspend'",
            "decided_by_id": str(decider.pk),
            "actor_role": "'decision_maker'",
            "decided_at": "now() - interval '30 days'",
            "effective_on": f"{day} - 30",
            "reason": "'Yearly statement not received.'",
            "conditions": "'Send the signed statement.'",
            "from_status": "'valid'",
            "to_status": "'suspended'",
        },
        suspended,
        [count],
    )
    # The first PAST_DEADLINE suspensions reached their deadline before today.
    insert_select(
        Suspension,
        {
            "id": "c.id",
            "certificate_id": "c.id",
            "decision_id": "c.id",
            "reason": "'Yearly statement not received.'",
            "conditions": "'Send the signed statement.'",
            "starts_on": f"{day} - 30",
            "deadline": (
                f"(CASE WHEN c.id <= {suspended_bound(count)} THEN {day} - 1 - (c.id %% 5)::int "
                f"ELSE {day} + 30 END)"
            ),
        },
        suspended,
        [count],
    )
    for threshold in THRESHOLDS:  # the reminders of the days before today
        insert_select(
            ExpiryReminder,
            {
                "certificate_id": "c.id",
                "expires_on": "c.expires_on",
                "days_before": str(threshold),
                "sent_at": f"(c.expires_on - {threshold})::timestamptz + interval '2 hours'",
            },
            "FROM certification_certificate c "
            "WHERE c.status IN ('valid', 'suspended') AND c.expires_on - %s < %s",
            [today, threshold],
        )
    for model in (Person, CertificationDecision, Certificate, LifecycleDecision, Suspension):
        reset_sequence(model)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"seeded {count:,} certificates in SQL in {time.perf_counter() - started:.1f} s")
    return {"decider": decider}


def suspended_bound(count: int) -> int:
    """Suspended certificates are those with g % 100 == 33: the first PAST_DEADLINE of them."""
    return min(count, PAST_DEADLINE * 100)


def tick(now: dt.datetime, *, force: bool) -> tuple[float, str]:
    from django.core.management import call_command

    output = io.StringIO()
    arguments = ["--now", now.isoformat()]
    for job in JOBS:
        arguments += ["--job", job]
    if force:
        arguments.append("--force")
    started = time.perf_counter()
    call_command("tick", *arguments, stdout=output)
    return time.perf_counter() - started, output.getvalue()


def floor_first_run(today: dt.date, now: dt.datetime) -> float:
    """The first run's rows written by bare set-based SQL, then rolled back."""
    from django.db import connection, transaction

    from peritus.audit_trail.models import AuditChainHead, AuditEvent
    from peritus.certification.models import (
        CertificateStatusChange,
        ExpiryReminder,
    )
    from peritus.notifications.models import OutboxMessage

    due = (
        "FROM certification_certificate c "
        "WHERE c.status IN ('valid', 'suspended') AND c.expires_on < %s"
    )
    remind = (
        "FROM certification_certificate c, (VALUES (7), (30), (90)) AS t(d) "
        "WHERE c.status IN ('valid', 'suspended') AND c.expires_on - %s = t.d"
    )
    body = "Dear holder, your certificate expired. " * 20
    started = time.perf_counter()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        insert_select(
            CertificateStatusChange,
            {
                "certificate_id": "c.id",
                "from_status": "c.status",
                "to_status": "'expired'",
                "effective_on": "c.expires_on + 1",
                "recorded_at": "now()",
                "reason": "'Expired at the end of its validity'",
            },
            due,
            [today],
        )
        for source in (due, remind):
            insert_select(
                OutboxMessage,
                {
                    "template": "'certification_expiry'",
                    "recipient_email": "'holder' || c.id || '@bench.example'",
                    "recipient_person_id": "c.holder_id",
                    "subject": "'Your certificate ' || c.number",
                    "body": f"'{body}' || c.number",
                    "subject_type": "'certification.certificate'",
                    "subject_id": "c.id::text",
                    "next_attempt_at": "now()",
                },
                source,
                [today],
            )
            insert_select(
                AuditEvent,
                {
                    "sequence": f"{head.sequence} + row_number() OVER ()"
                    + (" + 1000000" if source is remind else ""),
                    "event_type": "'certification.bench'",
                    "occurred_at": "now()",
                    "actor_label": "'system'",
                    "subject_type": "'certification.certificate'",
                    "subject_id": "c.id::text",
                    "payload": "'{\"number\": \"' || c.number || '\"}'",
                    "prev_hash": "repeat('0', 64)",
                    "hash": "encode(sha256(convert_to(c.number || c.id::text, 'UTF8')), 'hex')",
                },
                source,
                [today],
            )
        insert_select(
            ExpiryReminder,
            {
                "certificate_id": "c.id",
                "expires_on": "c.expires_on",
                "days_before": "t.d",
                "sent_at": "now()",
            },
            remind,
            [today],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO certification_historicalcertificate (id, created_at, "
                "updated_at, number, number_key, holder_name, issued_on, valid_from, "
                "expires_on, status, status_since, revision, register_listed, "
                "external_reference, holder_id, scheme_id, scheme_version_id, decision_id, "
                "history_date, history_change_reason, history_type) "
                "SELECT id, created_at, now(), number, number_key, holder_name, issued_on, "
                "valid_from, expires_on, 'expired', expires_on + 1, revision, "
                "register_listed, external_reference, holder_id, scheme_id, "
                f"scheme_version_id, decision_id, now(), 'expired', '~' {due}",
                [today],
            )
            cursor.execute(
                "UPDATE certification_certificate SET status = 'expired', "
                "status_since = expires_on + 1, updated_at = now() "
                "WHERE status IN ('valid', 'suspended') AND expires_on < %s",
                [today],
            )
        transaction.set_rollback(True)
    return time.perf_counter() - started


def notice_round_trips(samples: int = 1000) -> float:
    """Seconds a notice costs in round trips alone on this machine now: `queue_notification`
    writes one row inside the change's transaction, and its delivery task one row in a
    transaction of its own after the commit (a WAL flush each). Measured on a scratch table."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_round_trip (id bigserial PRIMARY KEY, body text)")
        started = time.perf_counter()
        with transaction.atomic():
            for index in range(samples):
                cursor.execute(
                    "INSERT INTO bench_round_trip (body) VALUES (%s) RETURNING id", [str(index)]
                )
        for index in range(samples):  # autocommit: one transaction each
            cursor.execute(
                "INSERT INTO bench_round_trip (body) VALUES (%s) RETURNING id", [str(index)]
            )
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_round_trip")
    return elapsed / samples


def floor_second_run(today: dt.date) -> float:
    """What the second run cannot avoid: the three selections of what is due, as bare SQL."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM certification_certificate "
            "WHERE status IN ('valid', 'suspended') AND expires_on < %s",
            [today],
        )
        cursor.fetchall()
        for lower, upper in ((0, 7), (8, 30), (31, 90)):
            cursor.execute(
                "SELECT c.id FROM certification_certificate c "
                "WHERE c.status IN ('valid', 'suspended') "
                "AND c.expires_on BETWEEN %s AND %s AND NOT EXISTS ("
                "SELECT 1 FROM certification_expiryreminder r WHERE r.certificate_id = c.id "
                "AND r.expires_on = c.expires_on AND r.days_before <= %s AND NOT r.manual)",
                [today + dt.timedelta(days=lower), today + dt.timedelta(days=upper), upper],
            )
            cursor.fetchall()
        cursor.execute(
            "SELECT id FROM certification_suspension "
            "WHERE status = 'open' AND deadline < %s AND proposed_at IS NULL",
            [today],
        )
        cursor.fetchall()
    return time.perf_counter() - started


def main() -> bool:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--expiring", type=int, default=10_000)
    args = parser.parse_args()

    env = base_environment(bench_var_dir("tick"))
    with bench_database("peritus_bench_tick", env) as url:
        setup_django(env, url)
        from django.utils import timezone

        from peritus.audit_trail.models import AuditEvent
        from peritus.audit_trail.verification import verify_chain
        from peritus.certification.events import CertificationEvent
        from peritus.certification.models import (
            Certificate,
            CertificateStatusChange,
            ExpiryReminder,
            Suspension,
        )
        from peritus.notifications.models import OutboxMessage

        today = timezone.localdate()
        now = dt.datetime.combine(today, dt.time(2), tzinfo=dt.UTC)
        seed(count=args.count, expiring=args.expiring, today=today)
        due = Certificate.objects.filter(
            status__in=["valid", "suspended"], expires_on__lt=today
        ).count()
        reminders_before = ExpiryReminder.objects.count()
        floor_first = floor_first_run(today, now)

        load_before = os.getloadavg()[0]
        first, first_output = tick(now, force=False)
        load_after = os.getloadavg()[0]
        log(first_output.rstrip())
        counts = {
            "expired": Certificate.objects.filter(status="expired", status_since=today).count(),
            "status_rows": CertificateStatusChange.objects.filter(to_status="expired").count(),
            "expiry_events": AuditEvent.objects.filter(
                event_type=CertificationEvent.CERTIFICATE_EXPIRED
            ).count(),
            "expiry_notices": OutboxMessage.objects.filter(
                template="certification_expiry_recorded"
            ).count(),
            "reminders": ExpiryReminder.objects.count() - reminders_before,
            "reminder_notices": OutboxMessage.objects.filter(
                template="certification_expiry_reminder"
            ).count(),
            "proposals": Suspension.objects.filter(proposed_at__isnull=False).count(),
            "audit_events": AuditEvent.objects.count(),
            "notices": OutboxMessage.objects.count(),
        }
        second, second_output = tick(now, force=True)
        log(second_output.rstrip())
        after_second = {
            "audit_events": AuditEvent.objects.count(),
            "notices": OutboxMessage.objects.count(),
        }
        floor_second = floor_second_run(today)
        per_notice = notice_round_trips()
        chain = verify_chain()
    notices_floor = per_notice * counts["notices"]
    log(f"due today: {due:,} expiries; what the first run wrote: {counts}")
    log(
        f"load average ({os.cpu_count()} cores, shared): {load_before:.1f} before the first run, "
        f"{load_after:.1f} after it"
    )
    log(
        f"a notice's two round trips alone (outbox row, then its delivery task committed): "
        f"{per_notice * 1000:.2f} ms, so {notices_floor:.1f} s for {counts['notices']:,} notices"
    )
    log(
        f"first run:  {first:.1f} s (target < 60 s); floor, the same rows by bare SQL: "
        f"{floor_first:.2f} s; ratio {first / floor_first:.1f}x; with the notices' round trips "
        f"added to the floor: ratio {first / (floor_first + notices_floor):.1f}x"
    )
    log(
        f"second run: {second:.2f} s (target < 5 s); floor, the selections alone: "
        f"{floor_second:.2f} s; ratio {second / floor_second:.1f}x"
    )
    log(f"audit chain intact: {chain.intact} ({chain.count:,} events)")
    exact = (
        counts["expired"]
        == counts["status_rows"]
        == counts["expiry_events"]
        == counts["expiry_notices"]
        == due
        and due >= args.expiring
        and counts["reminders"] == counts["reminder_notices"] > 0
        and counts["proposals"] == PAST_DEADLINE
        and after_second == {k: counts[k] for k in after_second}
    )
    if not exact:
        log("the runs did not write exactly what was due, once")
    passed = first < 60 and second < 5 and exact and chain.intact
    return report(
        "tick",
        figure=first,
        unit="s",
        target="first_<60s_second_<5s",
        passed=passed,
        floor={
            "first_run_bare_sql_s": round(floor_first, 3),
            "second_run_selections_s": round(floor_second, 3),
            "notice_round_trips_ms": round(per_notice * 1000, 3),
        },
        details={
            "certificates": args.count,
            "expiring": due,
            "first_run_s": round(first, 2),
            "second_run_s": round(second, 3),
            "ratio_first_to_floor": round(first / floor_first, 2),
            "ratio_second_to_floor": round(second / floor_second, 2),
            "ratio_first_to_floor_with_notice_round_trips": round(
                first / (floor_first + notices_floor), 2
            ),
            "load_average": [round(load_before, 2), round(load_after, 2)],
            "written": counts,
        },
    )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
