"""``peritus psychometrics analyze …``: the psychometrics command, run inside the project.

The command itself lives in :mod:`peritus.psychometrics.cli` (pure NumPy/SciPy, no Django).
This wrapper only hands the arguments over. It declares no system checks and no migration
checks, so it never opens the database and works on a machine without one.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, override

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peritus.psychometrics.cli import build_parser, main


class Command(BaseCommand):
    help = "Item and test analysis of a response file (runs without a database)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "arguments",
            nargs=argparse.REMAINDER,
            help="analyze --responses R.csv [--key K.csv] … (see `analyze --help`)",
        )

    @override
    def print_help(self, prog_name: str, subcommand: str) -> None:
        build_parser().print_help()

    @override
    def run_from_argv(self, argv: list[str]) -> None:
        # argv is [program, "psychometrics", *arguments]; the engine's own parser owns the rest,
        # prints any error as one line and returns the exit status.
        status = main(argv[2:])
        if status:
            sys.exit(status)

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        status = main(list(options["arguments"]))
        if status:
            raise CommandError("psychometrics analysis failed", returncode=status)
