"""`django.tasks` entry points of exam delivery (take ids, call services)."""

from __future__ import annotations

import datetime as dt

from django.tasks import default_task_backend, task
from django.utils import timezone

from peritus.exams.delivery.invigilation import close_if_expired


@task()
def close_attempt_at_deadline(*, attempt_id: int) -> None:
    """Close the attempt if its deadline has passed (idempotent: the clock is checked again)."""
    close_if_expired(attempt_id=attempt_id, now=timezone.now())


def schedule_close(attempt_id: int, deadline: dt.datetime | None) -> None:
    """Ask the worker to close the attempt at its deadline, when the backend can defer a task.

    The `exams-close-at-deadline` tick job closes it anyway; this only makes it punctual.
    """
    if deadline is None or not default_task_backend.supports_defer:
        return
    try:
        close_attempt_at_deadline.using(run_after=deadline + dt.timedelta(seconds=3)).enqueue(
            attempt_id=attempt_id
        )
    except Exception:
        return
