"""The database refuses UPDATE and DELETE on the audit trail (ADR 0005).

PostgreSQL: a trigger raises unless the transaction set `peritus.audit_guard_open` (only the
test suite's tamper tests and `peritus demo --reset` do that, as a superuser could anyway).
SQLite: a trigger calls the SQL function `peritus_audit_guard_open()`, which this module
registers on every Django connection. Any other client (the sqlite3 shell) does not have the
function, so its UPDATE or DELETE fails too.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.db import connection

_state = threading.local()


def _is_open() -> int:
    return 1 if getattr(_state, "open", False) else 0


def register_sqlite_guard(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("peritus_audit_guard_open", 0, _is_open)


@contextlib.contextmanager
def audit_guard_opened() -> Iterator[None]:
    """Allow UPDATE/DELETE on the audit trail inside this block. Only for tests and demo reset."""
    previous = getattr(_state, "open", False)
    _state.open = True
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('peritus.audit_guard_open', 'on', false)")
        yield
    finally:
        _state.open = previous
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('peritus.audit_guard_open', 'off', false)")


def set_guard_open(value: bool) -> None:
    """Process-wide switch for test teardown (flushing a transactional test database)."""
    _state.open = value


POSTGRES_INSTALL = """
CREATE OR REPLACE FUNCTION peritus_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('peritus.audit_guard_open', true), 'off') = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_trail_auditevent
    FOR EACH ROW EXECUTE FUNCTION peritus_audit_append_only();
"""
POSTGRES_REMOVE = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_trail_auditevent;
DROP FUNCTION IF EXISTS peritus_audit_append_only();
"""
SQLITE_INSTALL = [
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_trail_auditevent
    WHEN peritus_audit_guard_open() = 0
    BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_trail_auditevent
    WHEN peritus_audit_guard_open() = 0
    BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: DELETE refused'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]
