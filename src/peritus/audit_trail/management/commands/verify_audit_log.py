from __future__ import annotations

from typing import Any, override

from django.core.management.base import BaseCommand, CommandError

from peritus.audit_trail.verification import verify_chain


class Command(BaseCommand):
    help = "Re-computes the audit chain. Exit 0 with the count when intact; non-zero naming the first broken event."

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.intact:
            raise CommandError(
                f"audit chain broken at event #{report.broken_sequence}: {report.problem}"
            )
        self.stdout.write(f"audit chain intact: {report.count} events")
