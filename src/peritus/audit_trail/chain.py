"""Canonical serialisation and hashing of audit events (pure functions, ADR 0005)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """One spelling for one value: sorted keys, no whitespace, UTF-8 kept as is."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def format_instant(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    sequence: int,
    event_type: str,
    occurred_at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    actor_role: str,
    subject_type: str,
    subject_id: str,
    reason: str,
    payload: str,
    prev_hash: str,
) -> str:
    """SHA-256 over every column that carries meaning, the previous hash included."""
    material = canonical_json(
        [
            sequence,
            event_type,
            format_instant(occurred_at),
            actor_id,
            actor_label,
            actor_role,
            subject_type,
            subject_id,
            reason,
            payload,
            prev_hash,
        ]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
