"""The append-only, hash-chained record of business events (ISO/IEC 17024 7.1, R26)."""

from __future__ import annotations

import json
from typing import Any, override

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One business fact: who did what to which records, when, and why.

    `payload` holds the canonical JSON that the hash covers, so verification never depends on
    how a database round-trips JSON. Rows are never updated or deleted (database triggers).
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    event_type = models.CharField(max_length=100, db_index=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    actor_role = models.CharField(max_length=64, blank=True)
    subject_type = models.CharField(max_length=100, blank=True, db_index=True)
    subject_id = models.CharField(max_length=64, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    payload = models.TextField(help_text=_("Canonical JSON covered by the hash"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "sequence"])]

    @override
    def __str__(self) -> str:
        return f"#{self.sequence} {self.event_type}"

    @property
    def content(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.payload)
        return loaded

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.content.get("data", {})
        return data

    @property
    def related(self) -> list[dict[str, str]]:
        related: list[dict[str, str]] = self.content.get("related", [])
        return related


class AuditEventLink(models.Model):
    """Index of every record an event touched, so a record's history is one query away."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="links")
    record_type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=64)

    class Meta:
        ordering = ["event_id"]
        indexes = [models.Index(fields=["record_type", "record_id", "event"])]

    @override
    def __str__(self) -> str:
        return f"{self.record_type}#{self.record_id} in event {self.event_id}"


class AuditChainHead(models.Model):
    """The single row writers lock to append: concurrent transactions never fork the chain."""

    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        ordering = ["pk"]

    @override
    def __str__(self) -> str:
        return f"chain head at #{self.sequence}"
