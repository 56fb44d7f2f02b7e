"""The certificate lifecycle in `peritus tick` (9.5, 9.6; R7, R8, R9).

Each job is idempotent and safe to run late or twice: what it did is recorded (status rows,
reminder rows, proposal and escalation times), so a second run finds nothing left to do, and a
late run catches up. They run hourly so that a tick at a slightly earlier hour than the day
before never skips a day; a run with nothing to do costs a few indexed queries.
"""

from __future__ import annotations

import datetime as dt

from peritus.certification.services import (
    escalate_withdrawal_proposals,
    expire_certificates,
    propose_withdrawals,
    send_expiry_reminders,
)
from peritus.certification.services.bulk import run_due_operations
from peritus.scheduling.registry import register_job

EVERY = dt.timedelta(hours=1)


@register_job("certification-expiry", every=EVERY)
def expire(now: dt.datetime) -> str:
    """Record the expiry of certificates past their last day of validity; tell the holders."""
    return f"{expire_certificates(now=now)} certificates expired"


@register_job("certification-expiry-reminders", every=EVERY)
def remind(now: dt.datetime) -> str:
    """Remind holders before expiry (90/30/7 days by default), once per threshold."""
    return f"{send_expiry_reminders(now=now)} expiry reminders sent"


@register_job("certification-suspension-deadlines", every=EVERY)
def suspension_deadlines(now: dt.datetime) -> str:
    """Propose withdrawal to the decision makers past a suspension's deadline; escalate if unanswered."""
    proposed = propose_withdrawals(now=now)
    escalated = escalate_withdrawal_proposals(now=now)
    return f"{proposed} withdrawals proposed, {escalated} proposals escalated"


@register_job("certification-scheduled-operations", every=EVERY)
def scheduled_operations(now: dt.datetime) -> str:
    """Run the confirmed bulk operations (e.g. a move to a new scheme version) whose date came."""
    return f"{run_due_operations(now=now)} scheduled operations run"
