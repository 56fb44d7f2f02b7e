"""`peritus import_certificates FILE.csv --scheme SLUG [--dry-run]`: migrate an existing register.

The columns are documented in `peritus.certification.register_import`. All or nothing: when any
row is wrong, every wrong row is reported with its line number and nothing is imported (exit 1).
Running the same file twice imports nothing the second time.
"""

from __future__ import annotations

import pathlib
from typing import Any, override

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peritus.accounts.models import User
from peritus.certification.register_import import (
    COLUMNS,
    REQUIRED,
    FileRefusedError,
    read_rows,
)
from peritus.certification.services.importing import ImportRefusedError, import_certificates
from peritus.core.errors import DomainError
from peritus.schemes.models import Scheme


class Command(BaseCommand):
    help = (
        "Import a register of certified persons from another system (CSV, UTF-8, dates "
        "YYYY-MM-DD), all or nothing. Columns: "
        + ", ".join(COLUMNS)
        + ". Required: "
        + ", ".join(REQUIRED)
        + ". scope: the version's scope codes separated by ';'. "
        "status: valid, suspended, withdrawn or expired. register_consent: yes or no. "
        "Running the same file twice imports nothing the second time."
    )

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file with a header row")
        parser.add_argument("--scheme", required=True, help="slug of the scheme")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row, import nothing"
        )
        parser.add_argument(
            "--actor", default="", help="email of the certification officer recording the import"
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        path = pathlib.Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"refused: cannot read {path}: {error.strerror}") from error
        scheme = Scheme.objects.filter(slug=options["scheme"]).first()
        if scheme is None:
            raise CommandError(f"refused: no scheme has the slug {options['scheme']!r}")
        actor = None
        if options["actor"]:
            actor = User.objects.filter(email=options["actor"].lower()).first()
            if actor is None:
                raise CommandError(f"refused: no user has the email {options['actor']!r}")
        try:
            rows, errors = read_rows(content)
        except FileRefusedError as error:
            raise CommandError(f"refused: {error}") from error
        try:
            report = import_certificates(
                rows=rows,
                scheme=scheme,
                source=f"{path.name} ({scheme.code})",
                actor=actor,
                dry_run=options["dry_run"],
                form_errors=errors,
            )
        except ImportRefusedError as refusal:
            for row_error in refusal.errors:
                self.stderr.write(str(row_error))
            raise CommandError(
                f"refused: {len(refusal.errors)} row(s) with errors in {path.name}; "
                "nothing was imported"
            ) from refusal
        except DomainError as error:
            raise CommandError(f"refused: {error.message}") from error
        if report.dry_run:
            self.stdout.write(
                f"dry run: {report.imported} certificate(s) would be imported, "
                f"{report.already_present} already present; nothing was written"
            )
        else:
            self.stdout.write(
                f"imported {report.imported} certificate(s) into {scheme.code}; "
                f"{report.already_present} already present"
            )
