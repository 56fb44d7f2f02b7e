"""Writing to the audit trail. `record_event` is the only way in."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
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
    if not connection.in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change it records")
    subject_ref = _reference(subject) if subject is not None else {"type": "", "id": ""}
    related_refs = [_reference(item) for item in related]
    content = {
        "data": json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
        "related": related_refs,
    }
    payload = canonical_json(content)
    occurred_at = occurred_at or timezone.now()
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    actor_label = str(getattr(actor, "email", "")) if actor_id is not None else SYSTEM_ACTOR_LABEL

    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a flushed database (demo reset, browser tests): start the chain again
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    sequence = head.sequence + 1
    digest = event_hash(
        sequence=sequence,
        event_type=event_type,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        actor_role=actor_role,
        subject_type=subject_ref["type"],
        subject_id=subject_ref["id"],
        reason=reason,
        payload=payload,
        prev_hash=head.last_hash,
    )
    event = AuditEvent.objects.create(
        sequence=sequence,
        event_type=event_type,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_label=actor_label,
        actor_role=actor_role,
        subject_type=subject_ref["type"],
        subject_id=subject_ref["id"],
        reason=reason,
        payload=payload,
        prev_hash=head.last_hash,
        hash=digest,
    )
    links = {(ref["type"], ref["id"]) for ref in [subject_ref, *related_refs] if ref["type"]}
    AuditEventLink.objects.bulk_create(
        [
            AuditEventLink(event=event, record_type=kind, record_id=ident)
            for kind, ident in sorted(links)
        ]
    )
    AuditChainHead.objects.filter(pk=1).update(sequence=sequence, last_hash=digest)
    return event


@transaction.atomic
def record_standalone_event(event_type: str, **kwargs: Any) -> AuditEvent:
    """For facts with no other change to ride on (a verification run, a refused attempt)."""
    return record_event(event_type, **kwargs)
