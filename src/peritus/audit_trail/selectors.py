"""Reads of the audit trail: a record's history, the trail with filters."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import QuerySet

from peritus.audit_trail.models import AuditEvent
from peritus.audit_trail.registry import describe
from peritus.audit_trail.services import record_label


def list_events_for(record: models.Model) -> QuerySet[AuditEvent]:
    """Every event that touched `record` (as subject or related record), oldest first."""
    return (
        AuditEvent.objects.filter(
            links__record_type=record_label(record), links__record_id=str(record.pk)
        )
        .select_related("actor")
        .order_by("sequence")
        .distinct()
    )


def list_events(
    *,
    event_type: str = "",
    actor_email: str = "",
    record_type: str = "",
    record_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor").order_by("-sequence")
    if event_type:
        events = events.filter(event_type__startswith=event_type)
    if actor_email:
        events = events.filter(actor_label__iexact=actor_email)
    if record_type:
        events = events.filter(links__record_type=record_type)
        if record_id:
            events = events.filter(links__record_id=record_id)
    if since:
        events = events.filter(occurred_at__date__gte=since)
    if until:
        events = events.filter(occurred_at__date__lte=until)
    return events.distinct()


def sentence_for(event: AuditEvent) -> str:
    return describe(event.event_type)
