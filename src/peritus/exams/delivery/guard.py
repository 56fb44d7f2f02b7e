"""The database refuses UPDATE and DELETE on the answer log and the clock events.

An appeal replays what the candidate answered and when the clock stopped; neither may change
afterwards. The guard reuses the audit trail's switch (ADR 0005): on PostgreSQL the transaction
setting `peritus.audit_guard_open`, on SQLite the SQL function `peritus_audit_guard_open()` that
`audit_trail` registers on every Django connection, so only `audit_guard_opened()` (tests, demo
reset, the benchmark's clean-up) lets a row go.
"""

from __future__ import annotations

TABLES = ("exams_answerevent", "exams_clockevent")

POSTGRES_INSTALL = """
CREATE OR REPLACE FUNCTION peritus_exams_log_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('peritus.audit_guard_open', true), 'off') = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'exam logs are append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION peritus_exams_log_append_only();
"""
    for table in TABLES
)
POSTGRES_REMOVE = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in TABLES)
    + "DROP FUNCTION IF EXISTS peritus_exams_log_append_only();\n"
)

SQLITE_INSTALL = [
    statement
    for table in TABLES
    for statement in (
        f"""
        CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        WHEN peritus_audit_guard_open() = 0
        BEGIN SELECT RAISE(ABORT, 'exam logs are append-only: UPDATE refused'); END
        """,
        f"""
        CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        WHEN peritus_audit_guard_open() = 0
        BEGIN SELECT RAISE(ABORT, 'exam logs are append-only: DELETE refused'); END
        """,
    )
]
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {table}_{suffix}"
    for table in TABLES
    for suffix in ("no_update", "no_delete")
]
