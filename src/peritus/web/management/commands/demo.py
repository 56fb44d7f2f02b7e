from __future__ import annotations

from typing import Any, override

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peritus.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Loads the demo data set (idempotent). --reset empties the database first (demo and debug only)."

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Empty the database, then load the demo again."
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            if settings.PRODUCTION:
                raise CommandError(
                    "--reset empties the database: refused outside demo or debug mode"
                )
            from peritus.accounts.reference_data import ensure_reference_data
            from peritus.audit_trail.guard import audit_guard_opened

            with audit_guard_opened():
                call_command("flush", interactive=False, verbosity=0)
            ensure_reference_data()
            self.stdout.write("database emptied")
        self.stdout.write("loading demo data")
        ctx = load_demo(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
        if ctx.users:
            self.stdout.write(f"demo sign-ins (password for all: {DEMO_PASSWORD}):")
            for label, user in ctx.users.items():
                self.stdout.write(f"  {label:28} {user.email}")
            self.stdout.write(
                "staff second factor: the current code is shown on the sign-in page in demo mode"
            )
