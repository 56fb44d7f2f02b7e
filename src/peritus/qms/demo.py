"""Demo corrective and preventive actions at each stage, built with the services (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peritus.core.demo import DemoContext
from peritus.qms.models import ActionKind, ActionSource, CorrectiveAction
from peritus.qms.services import (
    add_action_step,
    close_corrective_action,
    complete_action_step,
    raise_corrective_action,
    record_effectiveness_check,
    record_root_cause,
)

# (title, source, source label, kind, stage)
ACTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "Exam papers left in an unlocked room before a session",
        ActionSource.INTERNAL_AUDIT,
        "Internal audit 2026-1, finding 3",
        ActionKind.CORRECTIVE,
        "closed",
    ),
    (
        "Item bank exports leave no trace of who exported what",
        ActionSource.INTERNAL_AUDIT,
        "Internal audit 2026-1, finding 5",
        ActionKind.CORRECTIVE,
        "in_progress",
    ),
    (
        "Complaint letters could go unanswered during holidays",
        ActionSource.MANAGEMENT_REVIEW,
        "Management review 2026",
        ActionKind.PREVENTIVE,
        "open",
    ),
)


def load(ctx: DemoContext) -> None:
    manager = ctx.users.get("quality manager")
    auditor = ctx.users.get("internal auditor")
    director = ctx.users.get("top management")
    if manager is None or auditor is None or director is None:
        return
    today = timezone.localdate()
    for title, source, label, kind, stage in ACTIONS:
        if CorrectiveAction.objects.filter(title=title).exists():
            continue
        action = raise_corrective_action(
            actor=manager, source=source, source_label=label, title=title, kind=kind,
            description=f"{title}. Found and described by {label}.", owner=manager,
            due_on=today + dt.timedelta(days=ctx.rng.randint(30, 90)),
        )  # fmt: skip
        if stage == "open":
            continue
        record_root_cause(
            actor=manager, corrective_action=action,
            root_cause="No written procedure, so each person did it their own way.",
        )  # fmt: skip
        step = add_action_step(
            actor=manager, corrective_action=action, description="Write the procedure and train",
            owner=auditor if stage == "in_progress" else manager,
            due_on=today + dt.timedelta(days=14),
        )  # fmt: skip
        if stage == "in_progress":
            continue
        complete_action_step(actor=manager, step=step, note="Procedure issued; staff trained.")
        record_effectiveness_check(
            actor=director, corrective_action=action, effective=True,
            evidence="Three unannounced checks over a month found the room locked.",
        )  # fmt: skip
        close_corrective_action(
            actor=manager, corrective_action=action, summary="The procedure works; closed."
        )
    ctx.log(f"  {CorrectiveAction.objects.count()} corrective actions")
