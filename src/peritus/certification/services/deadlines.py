"""Suspension deadlines (9.5, R9): past its deadline, an unresolved suspension ends in withdrawal
or a scope reduction. The job proposes that decision to the scheme's decision makers (a task on
their dashboard and a notice), and escalates to the quality manager and top management when the
proposal is left unanswered (`PERITUS_WITHDRAWAL_PROPOSAL_ESCALATION_DAYS`, 14 by default).

Nothing is withdrawn automatically: withdrawal is a decision (4.2).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import list_users_with_role
from peritus.audit_trail.services import record_event
from peritus.certification.events import CertificationEvent
from peritus.certification.models import Suspension, SuspensionStatus
from peritus.core.conf import peritus_setting
from peritus.notifications.services import queue_notification

DEFAULT_ESCALATION_DAYS = 14


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


def _notify_staff(suspension: Suspension, *, roles: tuple[RoleCode, ...], template: str) -> int:
    """A notice to everyone holding one of `roles` for the scheme (or for every scheme)."""
    certificate = suspension.certificate
    recipients: dict[int, User] = {}
    for role in roles:
        for user in list_users_with_role(role, scheme_id=certificate.get_scheme_id()):
            recipients.setdefault(user.pk, user)
    for user in recipients.values():
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
    return len(recipients)


def _locked(pk: int, **conditions: object) -> Suspension | None:
    return (
        Suspension.objects.select_for_update(of=("self",))
        .select_related("certificate__scheme")
        .filter(pk=pk, status=SuspensionStatus.OPEN, **conditions)
        .first()
    )


def propose_withdrawals(*, now: dt.datetime) -> int:
    """Open a "withdraw or reduce the scope" task for each suspension past its deadline."""
    today = timezone.localdate(now)
    due = list(
        Suspension.objects.filter(
            status=SuspensionStatus.OPEN, deadline__lt=today, proposed_at__isnull=True
        )
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )
    return sum(_propose(pk, today=today, now=now) for pk in due)


@transaction.atomic(durable=True)
def _propose(pk: int, *, today: dt.date, now: dt.datetime) -> int:
    suspension = _locked(pk, deadline__lt=today, proposed_at__isnull=True)
    if suspension is None:
        return 0
    suspension.proposed_at = now
    suspension.save(update_fields=["proposed_at", "updated_at"])
    told = _notify_staff(
        suspension,
        roles=(RoleCode.DECISION_MAKER,),
        template="certification_withdrawal_proposed",
    )
    record_event(
        CertificationEvent.SUSPENSION_DEADLINE_REACHED,
        actor=None,
        subject=suspension,
        related=[suspension.certificate],
        data={
            "number": suspension.certificate.number,
            "deadline": suspension.deadline,
            "decision_makers_told": told,
        },
        occurred_at=now,
    )
    return 1


def escalate_withdrawal_proposals(*, now: dt.datetime) -> int:
    """Escalate each proposal nobody acted on within the escalation period."""
    limit = now - dt.timedelta(days=escalation_days())
    due = list(
        Suspension.objects.filter(
            status=SuspensionStatus.OPEN, proposed_at__lte=limit, escalated_at__isnull=True
        )
        .order_by("proposed_at", "pk")
        .values_list("pk", flat=True)
    )
    return sum(_escalate(pk, limit=limit, now=now) for pk in due)


@transaction.atomic(durable=True)
def _escalate(pk: int, *, limit: dt.datetime, now: dt.datetime) -> int:
    suspension = _locked(pk, proposed_at__lte=limit, escalated_at__isnull=True)
    if suspension is None:
        return 0
    suspension.escalated_at = now
    suspension.save(update_fields=["escalated_at", "updated_at"])
    told = _notify_staff(
        suspension,
        roles=(RoleCode.DECISION_MAKER, RoleCode.QUALITY_MANAGER, RoleCode.TOP_MANAGEMENT),
        template="certification_withdrawal_escalated",
    )
    record_event(
        CertificationEvent.SUSPENSION_ESCALATED,
        actor=None,
        subject=suspension,
        related=[suspension.certificate],
        data={
            "number": suspension.certificate.number,
            "deadline": suspension.deadline,
            "proposed_at": suspension.proposed_at,
            "people_told": told,
        },
        occurred_at=now,
    )
    return 1
