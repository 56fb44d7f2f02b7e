"""Re-computing the chain: `peritus verify_audit_log` and the daily tick job."""

from __future__ import annotations

import dataclasses

from peritus.audit_trail.chain import event_hash
from peritus.audit_trail.models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclasses.dataclass(frozen=True)
class ChainReport:
    intact: bool
    count: int
    broken_sequence: int | None = None
    problem: str = ""


def verify_chain(*, batch_size: int = 5000) -> ChainReport:
    """Walk the chain in order; the first event whose hash, link or position is wrong is named."""
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    count = 0
    rows = AuditEvent.objects.order_by("sequence").values_list(
        "sequence",
        "event_type",
        "occurred_at",
        "actor_id",
        "actor_label",
        "actor_role",
        "subject_type",
        "subject_id",
        "reason",
        "payload",
        "prev_hash",
        "hash",
    )
    for row in rows.iterator(chunk_size=batch_size):
        (sequence, event_type, occurred_at, actor_id, actor_label, actor_role, subject_type,
         subject_id, reason, payload, prev_hash, stored_hash) = row  # fmt: skip
        if sequence != expected_sequence:
            missing = "missing" if sequence > expected_sequence else "out of order"
            return ChainReport(
                False, count, expected_sequence, f"event #{expected_sequence} is {missing}"
            )
        if prev_hash != expected_prev:
            return ChainReport(
                False, count, sequence, f"event #{sequence} does not follow #{sequence - 1}"
            )
        computed = event_hash(
            sequence=sequence,
            event_type=event_type,
            occurred_at=occurred_at,
            actor_id=actor_id,
            actor_label=actor_label,
            actor_role=actor_role,
            subject_type=subject_type,
            subject_id=subject_id,
            reason=reason,
            payload=payload,
            prev_hash=prev_hash,
        )
        if computed != stored_hash:
            return ChainReport(False, count, sequence, f"event #{sequence} was altered")
        expected_prev = stored_hash
        expected_sequence += 1
        count += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.sequence != count or head.last_hash != expected_prev):
        return ChainReport(
            False,
            count,
            count + 1,
            f"events after #{count} are missing (the chain head records #{head.sequence})",
        )
    return ChainReport(True, count)
