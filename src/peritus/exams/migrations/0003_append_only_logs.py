"""The database itself refuses UPDATE and DELETE on the answer log and the clock events."""

from typing import Any

from django.db import migrations

from peritus.exams.delivery.guard import (
    POSTGRES_INSTALL,
    POSTGRES_REMOVE,
    SQLITE_INSTALL,
    SQLITE_REMOVE,
)


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(POSTGRES_INSTALL)  # no parameters: the '%' in RAISE stays literal
    elif vendor == "sqlite":
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"no append-only guard for database {vendor!r}")


def remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(POSTGRES_REMOVE)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("exams", "0002_online_delivery"), ("audit_trail", "0002_append_only_triggers")]

    operations = [migrations.RunPython(install, remove)]
