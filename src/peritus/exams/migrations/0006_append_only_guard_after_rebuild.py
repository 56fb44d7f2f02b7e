"""SQLite rebuilds a table to drop a column (0005), and its triggers go with the old table:
install the append-only guard again. PostgreSQL keeps its triggers; nothing to do there."""

from typing import Any

from django.db import migrations

from peritus.exams.delivery.guard import SQLITE_INSTALL, SQLITE_REMOVE


def reinstall(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in (*SQLITE_REMOVE, *SQLITE_INSTALL):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("exams", "0005_answer_log_ordered_by_arrival")]

    operations = [migrations.RunPython(reinstall, reinstall)]
