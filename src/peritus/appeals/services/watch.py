"""The appeal clock (R23: missed deadlines show): `peritus tick` tells the people responsible
when an acknowledgement or a decision is late, tells the appellant when their decision is late,
and writes to every appellant who has not heard from the body for a while. Idempotent."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import override

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.appeals import deadlines
from peritus.appeals.events import AppealsEvent
from peritus.appeals.models import OPEN_STATUSES, Appeal, AppealStatus, AppealUpdate
from peritus.appeals.services.common import notify_appellant, notify_staff, responsible_staff
from peritus.audit_trail.services import record_event


@dataclasses.dataclass(frozen=True)
class WatchReport:
    acknowledgements_late: int = 0
    decisions_late: int = 0
    progress_updates: int = 0

    @override
    def __str__(self) -> str:
        return (
            f"{self.acknowledgements_late} acknowledgements late, {self.decisions_late} decisions "
            f"late, {self.progress_updates} progress updates sent"
        )


def _late(appeal: Appeal, *, stage: str, due_on: dt.date, now: dt.datetime) -> None:
    record_event(
        AppealsEvent.OVERDUE,
        actor=None,
        subject=appeal,
        data={"reference": appeal.reference, "stage": stage, "due_on": due_on},
        occurred_at=now,
    )
    notify_staff(
        appeal,
        "appeals_overdue",
        responsible_staff(appeal),
        stage=_("acknowledgement") if stage == "acknowledgement" else _("decision"),
        due_on=due_on,
    )


def _system_update(appeal: Appeal, *, message: str, now: dt.datetime) -> None:
    update = AppealUpdate.objects.create(appeal=appeal, author=None, message=message)
    appeal.last_update_at = now
    appeal.save(update_fields=["last_update_at", "updated_at"])
    record_event(
        AppealsEvent.UPDATE_SENT,
        actor=None,
        subject=appeal,
        related=[update],
        data={"reference": appeal.reference, "automatic": True},
        occurred_at=now,
    )
    notify_appellant(appeal, "appeals_progress", message=message)


def watch_appeal_deadlines(*, now: dt.datetime) -> WatchReport:
    today = timezone.localdate(now)
    acknowledgements = decisions = updates = 0
    with transaction.atomic():
        late_acknowledgements = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("appellant__user")
            .filter(
                acknowledged_at__isnull=True,
                acknowledge_due_on__lt=today,
                acknowledgement_overdue_notified=False,
            )
            .filter(status__in=[*OPEN_STATUSES, AppealStatus.DECIDED])
            .order_by("acknowledge_due_on", "pk")
        )
        for appeal in late_acknowledgements:
            appeal.acknowledgement_overdue_notified = True
            appeal.save(update_fields=["acknowledgement_overdue_notified", "updated_at"])
            _late(appeal, stage="acknowledgement", due_on=appeal.acknowledge_due_on, now=now)
            acknowledgements += 1

        late_decisions = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("appellant__user")
            .filter(
                status__in=OPEN_STATUSES,
                decision_due_on__lt=today,
                decision_overdue_notified=False,
            )
            .order_by("decision_due_on", "pk")
        )
        for appeal in late_decisions:
            appeal.decision_overdue_notified = True
            appeal.save(update_fields=["decision_overdue_notified", "updated_at"])
            _late(appeal, stage="decision", due_on=appeal.decision_due_on, now=now)
            _system_update(
                appeal,
                message=_(
                    "Your appeal was due to be decided by %(due)s and is not decided yet. We are "
                    "sorry for the delay. The panel is still considering it, and we will write "
                    "to you with the outcome and the reasons."
                )
                % {"due": appeal.decision_due_on.isoformat()},
                now=now,
            )
            decisions += 1

        quiet_since = now - dt.timedelta(days=deadlines.progress_days())
        quiet = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("appellant__user")
            .filter(status__in=OPEN_STATUSES, acknowledged_at__isnull=False)
            .filter(Q(last_update_at__lt=quiet_since) | Q(last_update_at__isnull=True))
            .order_by("received_at", "pk")
        )
        for appeal in quiet:
            _system_update(
                appeal,
                message=_(
                    "Your appeal is still being considered (status: %(status)s). We will write "
                    "to you with the outcome and the reasons; we aim to decide by %(due)s."
                )
                % {
                    "status": appeal.get_status_display().lower(),
                    "due": appeal.decision_due_on.isoformat(),
                },
                now=now,
            )
            updates += 1
    return WatchReport(acknowledgements, decisions, updates)
