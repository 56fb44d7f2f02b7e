from __future__ import annotations

from typing import override

from django.db import models


class JobRun(models.Model):
    """One run of one scheduled job: when, for which simulated or real time, and what it did."""

    job_name = models.CharField(max_length=100, db_index=True)
    scheduled_for = models.DateTimeField(help_text="The 'now' the job ran for (peritus tick --now)")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["job_name", "succeeded", "scheduled_for"])]

    @override
    def __str__(self) -> str:
        return f"{self.job_name} @ {self.scheduled_for:%Y-%m-%d %H:%M}"
