"""Writing to the audit trail. `record_event` is the only way in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from peritus.audit_trail.chain import canonical_json, event_hash
from peritus.audit_trail.models import AuditChainHead, AuditEvent, AuditEventLink

SYSTEM_ACTOR_LABEL = "system"


def record_label(record: models.Model) -> str:
    meta = record._meta
    return f"{meta.app_label}.{meta.model_name}"


def _reference(record: models.Model | tuple[str, Any]) -> dict[str, str]:
    if isinstance(record, tuple):
        return {"type": record[0], "id": str(record[1])}
    return {"type": record_label(record), "id": str(record.pk)}


@dataclasses.dataclass(frozen=True)
class EventSpec:
    """One event to append with `record_events` (the arguments of `record_event`)."""

    event_type: str
    actor: Any | None
    subject: models.Model | None = None
    reason: str = ""
    data: dict[str, Any] | None = None
    related: Sequence[models.Model | tuple[str, Any]] = ()
    actor_role: str = ""
    occurred_at: dt.datetime | None = None


def record_event(
    event_type: str,
    *,
    actor: Any | None,
    subject: models.Model | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    related: Iterable[models.Model | tuple[str, Any]] = (),
    actor_role: str = "",
    occurred_at: dt.datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    `data` holds references and reasons, never copies of personal data. `actor` None means the
    system itself (a scheduled job). The chain head row is locked, so concurrent writers queue
    instead of forking the chain.
    """
    spec = EventSpec(
        event_type, actor, subject, reason, data, tuple(related), actor_role, occurred_at
    )
    return record_events([spec])[0]


def record_events(specs: Sequence[EventSpec]) -> list[AuditEvent]:
    """Append several events in order, taking the chain head lock once (bulk operations).

    Each event is still its own link in the chain, with its own hash: a batch of 10,000
    issued certificates gives 10,000 events, written with a few bulk inserts.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change it records")
    if not specs:
        return []
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a flushed database (demo reset, browser tests): start the chain again
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    sequence, previous = head.sequence, head.last_hash
    now = timezone.now()
    events: list[AuditEvent] = []
    link_keys: list[set[tuple[str, str]]] = []
    for spec in specs:
        subject_ref = (
            _reference(spec.subject) if spec.subject is not None else {"type": "", "id": ""}
        )
        related_refs = [_reference(item) for item in spec.related]
        content = {
            "data": json.loads(json.dumps(spec.data or {}, cls=DjangoJSONEncoder)),
            "related": related_refs,
        }
        payload = canonical_json(content)
        occurred_at = spec.occurred_at or now
        actor = spec.actor
        actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
        actor_label = (
            str(getattr(actor, "email", "")) if actor_id is not None else SYSTEM_ACTOR_LABEL
        )
        sequence += 1
        digest = event_hash(
            sequence=sequence,
            event_type=spec.event_type,
            occurred_at=occurred_at,
            actor_id=actor_id,
            actor_label=actor_label,
            actor_role=spec.actor_role,
            subject_type=subject_ref["type"],
            subject_id=subject_ref["id"],
            reason=spec.reason,
            payload=payload,
            prev_hash=previous,
        )
        events.append(
            AuditEvent(
                sequence=sequence,
                event_type=spec.event_type,
                occurred_at=occurred_at,
                actor_id=actor_id,
                actor_label=actor_label,
                actor_role=spec.actor_role,
                subject_type=subject_ref["type"],
                subject_id=subject_ref["id"],
                reason=spec.reason,
                payload=payload,
                prev_hash=previous,
                hash=digest,
            )
        )
        link_keys.append(
            {(ref["type"], ref["id"]) for ref in [subject_ref, *related_refs] if ref["type"]}
        )
        previous = digest
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        events = AuditEvent.objects.bulk_create(events, batch_size=1000)
        if any(event.pk is None for event in events):  # backends that do not return ids
            ids = dict(
                AuditEvent.objects.filter(
                    sequence__in=[event.sequence for event in events]
                ).values_list("sequence", "pk")
            )
            for event in events:
                event.pk = ids[event.sequence]
    AuditEventLink.objects.bulk_create(
        [
            AuditEventLink(event=event, record_type=kind, record_id=ident)
            for event, keys in zip(events, link_keys, strict=True)
            for kind, ident in sorted(keys)
        ],
        batch_size=2000,
    )
    AuditChainHead.objects.filter(pk=1).update(sequence=sequence, last_hash=previous)
    return events


@transaction.atomic
def record_standalone_event(event_type: str, **kwargs: Any) -> AuditEvent:
    """For facts with no other change to ride on (a verification run, a refused attempt)."""
    return record_event(event_type, **kwargs)
