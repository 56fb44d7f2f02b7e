"""The transactional outbox: a notice is written with the change that caused it (ADR 0012)."""

from __future__ import annotations

from typing import override

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peritus.core.models import TimeStampedModel


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed after every retry")


class OutboxMessage(TimeStampedModel):
    """One message to one recipient, rendered when queued: the record of exactly what was said."""

    template = models.CharField(max_length=100)
    recipient_email = models.EmailField()
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_person = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    language = models.CharField(max_length=10, default="en")
    subject = models.CharField(max_length=250)
    body = models.TextField()
    subject_type = models.CharField(
        max_length=100, blank=True, help_text=_("The record the notice is about")
    )
    subject_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    @override
    def __str__(self) -> str:
        return f"{self.template} → {self.recipient_email} ({self.status})"
