"""Suspension deadlines (9.5, R9): past its deadline, an unresolved suspension ends in withdrawal
or a scope reduction. The job proposes that decision to the scheme's decision makers (a task on
their dashboard and a notice), and escalates to the quality manager and top management when the
proposal is left unanswered (`PERITUS_WITHDRAWAL_PROPOSAL_ESCALATION_DAYS`, 14 by default).

Nothing is withdrawn automatically: withdrawal is a decision (4.2). Both steps work in batches
(one transaction each: the rows locked and checked again, one UPDATE, the notices, the audit
events appended with one chain lock), and each happens once per suspension: `proposed_at` and
`escalated_at` record it (an extension of the deadline clears them, so the cycle starts again).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import list_users_with_role
from peritus.audit_trail.services import EventSpec, record_events
from peritus.certification.events import CertificationEvent
from peritus.certification.models import Suspension, SuspensionStatus
from peritus.core.conf import peritus_setting
from peritus.notifications.services import queue_notification

DEFAULT_ESCALATION_DAYS = 14
DEADLINE_BATCH = 500


def escalation_days() -> int:
    """`PERITUS["WITHDRAWAL_PROPOSAL_ESCALATION_DAYS"]`, else the `PERITUS_…` setting, else 14."""
    try:
        return int(peritus_setting("WITHDRAWAL_PROPOSAL_ESCALATION_DAYS"))
    except KeyError:
        return int(
            getattr(
                settings, "PERITUS_WITHDRAWAL_PROPOSAL_ESCALATION_DAYS", DEFAULT_ESCALATION_DAYS
            )
        )


def _certificate_url(number: str) -> str:
    base = settings.PERITUS["BASE_URL"].rstrip("/")
    return f"{base}/office/certificates/{number}/"


class _Recipients:
    """Who holds one of `roles` for a scheme (or for every scheme), looked up once per scheme."""

    def __init__(self, roles: tuple[RoleCode, ...]) -> None:
        self.roles = roles
        self._by_scheme: dict[int, list[User]] = {}

    def of(self, scheme_id: int) -> list[User]:
        if scheme_id not in self._by_scheme:
            found: dict[int, User] = {}
            for role in self.roles:
                for user in list_users_with_role(role, scheme_id=scheme_id):
                    found.setdefault(user.pk, user)
            self._by_scheme[scheme_id] = list(found.values())
        return self._by_scheme[scheme_id]


def _notify_staff(suspension: Suspension, *, recipients: list[User], template: str) -> None:
    certificate = suspension.certificate
    for user in recipients:
        queue_notification(
            template=template,
            recipient_email=user.email,
            recipient_user=user,
            subject=suspension,
            context={
                "number": certificate.number,
                "scheme_name": certificate.scheme.name,
                "deadline": suspension.deadline,
                "starts_on": suspension.starts_on,
                "conditions": suspension.conditions,
                "certificate_url": _certificate_url(certificate.number),
                "escalation_days": escalation_days(),
            },
        )


def _locked(ids: list[int], **conditions: object) -> list[Suspension]:
    """The suspensions still open and still matching `conditions`, locked, in order."""
    return list(
        Suspension.objects.select_for_update(of=("self",))
        .select_related("certificate__scheme")
        .filter(pk__in=ids, status=SuspensionStatus.OPEN, **conditions)
        .order_by("pk")
    )


def _batches(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + DEADLINE_BATCH] for start in range(0, len(ids), DEADLINE_BATCH)]


def propose_withdrawals(*, now: dt.datetime) -> int:
    """Propose withdrawal or a scope reduction for each open suspension past its deadline, once."""
    today = timezone.localdate(now)
    due = list(
        Suspension.objects.filter(
            status=SuspensionStatus.OPEN, deadline__lt=today, proposed_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    recipients = _Recipients((RoleCode.DECISION_MAKER,))
    return sum(
        _propose(batch, today=today, now=now, recipients=recipients) for batch in _batches(due)
    )


@transaction.atomic(durable=True)
def _propose(ids: list[int], *, today: dt.date, now: dt.datetime, recipients: _Recipients) -> int:
    suspensions = _locked(ids, deadline__lt=today, proposed_at__isnull=True)
    if not suspensions:
        return 0
    Suspension.objects.filter(pk__in=[s.pk for s in suspensions]).update(
        proposed_at=now, updated_at=now
    )
    specs = []
    for suspension in suspensions:
        suspension.proposed_at = now
        told = recipients.of(suspension.certificate.get_scheme_id())
        _notify_staff(suspension, recipients=told, template="certification_withdrawal_proposed")
        specs.append(
            EventSpec(
                CertificationEvent.SUSPENSION_DEADLINE_REACHED,
                actor=None,
                subject=suspension,
                related=[suspension.certificate],
                data={
                    "number": suspension.certificate.number,
                    "deadline": suspension.deadline,
                    "decision_makers_told": len(told),
                },
                occurred_at=now,
            )
        )
    record_events(specs)
    return len(suspensions)


def escalate_withdrawal_proposals(*, now: dt.datetime) -> int:
    """Escalate each proposal nobody acted on within the escalation period, once."""
    limit = now - dt.timedelta(days=escalation_days())
    due = list(
        Suspension.objects.filter(
            status=SuspensionStatus.OPEN, proposed_at__lte=limit, escalated_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    recipients = _Recipients(
        (RoleCode.DECISION_MAKER, RoleCode.QUALITY_MANAGER, RoleCode.TOP_MANAGEMENT)
    )
    return sum(
        _escalate(batch, limit=limit, now=now, recipients=recipients) for batch in _batches(due)
    )


@transaction.atomic(durable=True)
def _escalate(
    ids: list[int], *, limit: dt.datetime, now: dt.datetime, recipients: _Recipients
) -> int:
    suspensions = _locked(ids, proposed_at__lte=limit, escalated_at__isnull=True)
    if not suspensions:
        return 0
    Suspension.objects.filter(pk__in=[s.pk for s in suspensions]).update(
        escalated_at=now, updated_at=now
    )
    specs = []
    for suspension in suspensions:
        suspension.escalated_at = now
        told = recipients.of(suspension.certificate.get_scheme_id())
        _notify_staff(suspension, recipients=told, template="certification_withdrawal_escalated")
        specs.append(
            EventSpec(
                CertificationEvent.SUSPENSION_ESCALATED,
                actor=None,
                subject=suspension,
                related=[suspension.certificate],
                data={
                    "number": suspension.certificate.number,
                    "deadline": suspension.deadline,
                    "proposed_at": suspension.proposed_at,
                    "people_told": len(told),
                },
                occurred_at=now,
            )
        )
    record_events(specs)
    return len(suspensions)
