"""PostgreSQL: a trigram index so the public register finds a name fragment among a million rows
in milliseconds (product.md §5). SQLite searches the partial b-tree index's rows instead."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS certificate_register_trigram ON certification_certificate "
    "USING gin (sort_name gin_trgm_ops) WHERE register_listed"
)
DROP = "DROP INDEX IF EXISTS certificate_register_trigram"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_decisions_certificates_versions_status")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
