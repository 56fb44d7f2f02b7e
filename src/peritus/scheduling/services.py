"""Running the jobs that are due (`peritus tick`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import traceback

from django.utils import timezone

from peritus.scheduling.models import JobRun
from peritus.scheduling.registry import Job, registered_jobs

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class JobOutcome:
    name: str
    ran: bool
    succeeded: bool
    summary: str


def is_due(job: Job, *, now: dt.datetime) -> bool:
    """Due when it never succeeded, or its interval has passed since the time of its last success."""
    last = (
        JobRun.objects.filter(job_name=job.name, succeeded=True)
        .order_by("-scheduled_for")
        .values_list("scheduled_for", flat=True)
        .first()
    )
    return last is None or now >= last + job.every or now < last


def run_job(job: Job, *, now: dt.datetime) -> JobOutcome:
    run = JobRun.objects.create(job_name=job.name, scheduled_for=now, started_at=timezone.now())
    try:
        summary = job.function(now)
        succeeded = True
    except Exception:
        logger.exception("scheduled job %s failed", job.name)
        summary = "failed: " + traceback.format_exc(limit=3).strip().splitlines()[-1]
        succeeded = False
    JobRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), succeeded=succeeded, summary=summary
    )
    return JobOutcome(job.name, True, succeeded, summary)


def run_due_jobs(
    *, now: dt.datetime | None = None, only: list[str] | None = None, force: bool = False
) -> list[JobOutcome]:
    """Run every registered job that is due once, in name order, and say what each did."""
    now = now or timezone.now()
    outcomes = []
    for job in registered_jobs():
        if only and job.name not in only:
            continue
        if force or is_due(job, now=now):
            outcomes.append(run_job(job, now=now))
        else:
            outcomes.append(JobOutcome(job.name, False, True, "not due"))
    return outcomes
