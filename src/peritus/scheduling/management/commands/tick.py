from __future__ import annotations

import datetime as dt
from typing import Any, override

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from peritus.scheduling.registry import registered_jobs
from peritus.scheduling.services import run_due_jobs


def parse_now(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now must be an ISO 8601 date or date-time, not {value!r}") from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class Command(BaseCommand):
    help = "Runs every scheduled job that is due once (expiry, reminders, outbox, audit check …) and prints what it did."

    @override
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="Run as if it were this ISO 8601 date-time (tests, catching up)."
        )
        parser.add_argument(
            "--job", action="append", dest="jobs", help="Run only this job (repeatable)."
        )
        parser.add_argument("--force", action="store_true", help="Run the jobs even if not due.")
        parser.add_argument(
            "--list", action="store_true", help="List the registered jobs and exit."
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for job in registered_jobs():
                self.stdout.write(f"{job.name:32} every {job.every}  {job.description}")
            return
        known = {job.name for job in registered_jobs()}
        unknown = sorted(set(options["jobs"] or []) - known)
        if unknown:
            raise CommandError(
                f"unknown job {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        now = parse_now(options["now"]) if options["now"] else timezone.now()
        outcomes = run_due_jobs(now=now, only=options["jobs"], force=options["force"])
        self.stdout.write(f"tick at {now.isoformat(timespec='seconds')}")
        failed = []
        for outcome in outcomes:
            mark = "skip" if not outcome.ran else ("ok" if outcome.succeeded else "FAILED")
            self.stdout.write(f"  {outcome.name:32} {mark:6} {outcome.summary}")
            if not outcome.succeeded:
                failed.append(outcome.name)
        if failed:
            raise CommandError(f"jobs failed: {', '.join(failed)}")
