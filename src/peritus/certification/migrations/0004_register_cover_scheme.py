"""The register's covering index also carries the scheme, so a search within one scheme walks
the index alone too (PostgreSQL; SQLite keeps its plain index)."""

from django.db import migrations

POSTGRES_DROP = "DROP INDEX IF EXISTS certificate_register_cover"
POSTGRES_WITH_SCHEME = (
    "CREATE INDEX certificate_register_cover ON certification_certificate "
    "(sort_name, id) INCLUDE (status, expires_on, scheme_id) WHERE register_listed"
)
POSTGRES_WITHOUT_SCHEME = (
    "CREATE INDEX certificate_register_cover ON certification_certificate "
    "(sort_name, id) INCLUDE (status, expires_on) WHERE register_listed"
)


def add_scheme(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
        schema_editor.execute(POSTGRES_WITH_SCHEME)


def remove_scheme(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
        schema_editor.execute(POSTGRES_WITHOUT_SCHEME)


class Migration(migrations.Migration):
    dependencies = [("certification", "0003_register_covering_index")]

    operations = [migrations.RunPython(add_scheme, remove_scheme, elidable=False)]
