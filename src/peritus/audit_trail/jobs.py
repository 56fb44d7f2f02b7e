from __future__ import annotations

import datetime as dt

from peritus.audit_trail.events import AuditTrailEvent
from peritus.audit_trail.services import record_standalone_event
from peritus.audit_trail.verification import verify_chain
from peritus.scheduling.registry import register_job


@register_job("audit-chain-verification", every=dt.timedelta(days=1))
def verify_audit_chain(now: dt.datetime) -> str:
    """Re-compute the audit chain daily; a break is itself recorded for the quality manager."""
    report = verify_chain()
    if report.intact:
        return f"intact, {report.count} events"
    record_standalone_event(
        AuditTrailEvent.CHAIN_BROKEN, actor=None, reason=report.problem,
        data={"broken_sequence": report.broken_sequence}, occurred_at=now,
    )  # fmt: skip
    raise RuntimeError(f"audit chain broken at event #{report.broken_sequence}: {report.problem}")
