"""Every role of product.md §1, and a first personnel agreement so a fresh install can operate."""

from typing import Any

from django.db import migrations

from peritus.accounts.reference_data import ensure_initial_agreement, ensure_roles


def create_reference_data(apps: Any, schema_editor: Any) -> None:
    role_model = apps.get_model("accounts", "Role")
    ensure_roles(role_model)
    ensure_initial_agreement(apps.get_model("accounts", "AgreementVersion"), role_model)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_reference_data, migrations.RunPython.noop)]
