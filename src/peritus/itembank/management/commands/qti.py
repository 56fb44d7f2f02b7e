"""`peritus qti import|export` (product.md §3, a contract: names and report keys are fixed)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, override

from django.core.management.base import BaseCommand, CommandError

from peritus.accounts.models import User
from peritus.core.errors import DomainError
from peritus.itembank.models import ItemBank
from peritus.itembank.services import export_qti_package, import_qti_package
from peritus.schemes.models import Scheme


class Command(BaseCommand):
    help = "Import a QTI 2.1/2.2/3.0 content package into an item bank, or export a bank as QTI."

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        importing = commands.add_parser("import", help="Import a package, all or nothing")
        importing.add_argument("package", type=Path, help="The .zip content package")
        importing.add_argument(
            "--bank", required=True, help="Slug of the bank (created when missing)"
        )
        importing.add_argument(
            "--dry-run", action="store_true", help="Check and report; change nothing"
        )
        importing.add_argument("--json", type=Path, help="Write the import report to this file")
        importing.add_argument(
            "--scheme",
            help="Slug of the scheme of a bank to create (optional when one scheme exists)",
        )
        importing.add_argument(
            "--actor", help="Email of the staff member the import is recorded for"
        )
        exporting = commands.add_parser("export", help="Export a bank as a QTI content package")
        exporting.add_argument("--bank", required=True)
        exporting.add_argument(
            "--version", required=True, choices=["3.0", "2.1"], dest="qti_version"
        )
        exporting.add_argument("--out", required=True, type=Path)
        exporting.add_argument(
            "--actor", help="Email of the staff member the export is recorded for"
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options.get("actor"))
        if options["action"] == "import":
            self._import(actor, options)
        else:
            self._export(actor, options)

    def _actor(self, email: str | None) -> User | None:
        if not email:
            return None  # the system itself, recorded as such in the audit trail
        user = User.objects.filter(email=email.lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {email}.")
        return user

    def _scheme(self, bank_slug: str, scheme_slug: str | None) -> Scheme | None:
        if ItemBank.objects.filter(slug=bank_slug).exists():
            return None
        if scheme_slug:
            scheme = Scheme.objects.filter(slug=scheme_slug).first()
            if scheme is None:
                raise CommandError(f"No scheme {scheme_slug}.")
            return scheme
        schemes = list(Scheme.objects.all()[:2])
        if len(schemes) == 1:
            return schemes[0]
        raise CommandError(f"The bank {bank_slug} does not exist: name its scheme with --scheme.")

    def _import(self, actor: User | None, options: dict[str, Any]) -> None:
        path: Path = options["package"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            scheme = self._scheme(options["bank"], options.get("scheme"))
            with path.open("rb") as handle:
                report = import_qti_package(
                    actor=actor, source=handle, bank_slug=options["bank"], scheme=scheme,
                    dry_run=options["dry_run"],
                )  # fmt: skip
        except DomainError as error:
            raise CommandError(f"{error.message} ({error.code})") from None
        if options.get("json"):
            options["json"].write_text(
                json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
            )
        if report.refused:
            raise CommandError(f"Package refused, nothing imported: {report.reason}")
        verb = "would import" if report.dry_run else "imported"
        self.stdout.write(
            f"{options['bank']}: {verb} {report.items_imported} item(s), skipped {report.items_skipped}."
        )
        for problem in report.errors:
            self.stdout.write(
                f"  skipped {problem['file']}: {problem['message']} ({problem['code']})"
            )

    def _export(self, actor: User | None, options: dict[str, Any]) -> None:
        bank = ItemBank.objects.filter(slug=options["bank"]).first()
        if bank is None:
            raise CommandError(f"No bank {options['bank']}.")
        try:
            data = export_qti_package(actor=actor, bank=bank, version=options["qti_version"])
        except DomainError as error:
            raise CommandError(f"{error.message} ({error.code})") from None
        out: Path = options["out"]
        out.write_bytes(data)
        self.stdout.write(
            f"{bank.slug}: wrote QTI {options['qti_version']} package {out} ({len(data)} bytes)."
        )
