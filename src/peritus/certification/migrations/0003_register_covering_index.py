"""The register's name index: covering on PostgreSQL (the walk in name order reads only the index,
status and expiry included), a plain partial b-tree on SQLite (which has no covering indexes)."""

from django.db import migrations

POSTGRES = (
    "CREATE INDEX IF NOT EXISTS certificate_register_cover ON certification_certificate "
    "(sort_name, id) INCLUDE (status, expires_on) WHERE register_listed"
)
SQLITE = (
    "CREATE INDEX IF NOT EXISTS certificate_register_cover ON certification_certificate "
    "(sort_name, id) WHERE register_listed"
)
DROP = "DROP INDEX IF EXISTS certificate_register_cover"


def create_index(apps, schema_editor):
    schema_editor.execute(POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE)


def drop_index(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("certification", "0002_register_name_trigram_index")]

    operations = [
        migrations.RemoveIndex(model_name="certificate", name="certificate_register_sort"),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
