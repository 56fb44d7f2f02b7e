"""`peritus tick` proposes withdrawal past a suspension's deadline, and escalates (9.5, R9)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    Suspension,
    SuspensionStatus,
)
from peritus.certification.services import reinstate_certificate, suspend_certificate
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_holder, make_valid_certificate, reload

pytestmark = pytest.mark.django_db

JOB = "certification-suspension-deadlines"


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def tick(day: dt.date, *, force: bool = False) -> str:
    """`peritus tick --now <day, noon> --job certification-suspension-deadlines`, clock there."""
    output = io.StringIO()
    when = noon(day)
    arguments = ["--now", when.isoformat(), "--job", JOB, *(["--force"] if force else [])]
    with time_machine.travel(when, tick=False):
        call_command("tick", *arguments, stdout=output)
    return output.getvalue()


def suspended(decision_maker: User, *, email: str = "holder@peritus.example") -> Suspension:
    certificate = make_valid_certificate(holder=make_holder(email))
    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason="Yearly statement of continued activity not received.",
        conditions="Send the statement signed by your employer.",
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    return Suspension.objects.get(certificate=certificate)


def sent_to(template: str) -> list[str]:
    return sorted(
        OutboxMessage.objects.filter(template=template).values_list("recipient_email", flat=True)
    )


def trace() -> tuple[int, int, int]:
    return (
        AuditEvent.objects.count(),
        OutboxMessage.objects.count(),
        Certificate.history.count(),
    )


def test_a_suspension_past_its_deadline_proposes_withdrawal_to_the_decision_makers(
    decision_maker: User,
) -> None:
    suspension = suspended(decision_maker)

    on_deadline = tick(suspension.deadline)
    assert "0 withdrawals proposed" in on_deadline
    output = tick(suspension.deadline + dt.timedelta(days=1))

    stored = Suspension.objects.get(pk=suspension.pk)
    assert "1 withdrawals proposed" in output
    assert stored.proposed_at == noon(suspension.deadline + dt.timedelta(days=1))
    assert stored.status == SuspensionStatus.OPEN
    assert reload(suspension.certificate).status == CertificateStatus.SUSPENDED  # not automatic
    assert decision_maker.email in sent_to("certification_withdrawal_proposed")
    assert "holder@peritus.example" not in sent_to("certification_withdrawal_proposed")
    notice = OutboxMessage.objects.filter(
        template="certification_withdrawal_proposed", recipient_email=decision_maker.email
    ).get()
    assert suspension.certificate.number in notice.subject
    assert f"/office/certificates/{suspension.certificate.number}/" in notice.body
    event = AuditEvent.objects.get(event_type=CertificationEvent.SUSPENSION_DEADLINE_REACHED)
    assert (event.subject_type, event.subject_id, event.actor_id) == (
        "certification.suspension",
        str(suspension.pk),
        None,
    )
    data = json.loads(event.payload)["data"]
    assert data["deadline"] == suspension.deadline.isoformat()
    assert data["decision_makers_told"] == len(sent_to("certification_withdrawal_proposed"))


def test_running_tick_twice_proposes_once(decision_maker: User) -> None:
    suspension = suspended(decision_maker)
    day = suspension.deadline + dt.timedelta(days=1)
    tick(day)
    counts = trace()

    assert "not due" in tick(day)
    assert "0 withdrawals proposed, 0 proposals escalated" in tick(day, force=True)
    assert "0 withdrawals proposed, 0 proposals escalated" in tick(day + dt.timedelta(days=5))

    assert trace() == counts


def test_an_unanswered_proposal_is_escalated_once_to_quality_and_top_management(
    decision_maker: User,
) -> None:
    quality = make_staff(RoleCode.QUALITY_MANAGER, email="quality@peritus.example")
    top = make_staff(RoleCode.TOP_MANAGEMENT, email="ceo@peritus.example")
    suspension = suspended(decision_maker)
    proposed_on = suspension.deadline + dt.timedelta(days=1)
    tick(proposed_on)

    assert "0 proposals escalated" in tick(proposed_on + dt.timedelta(days=13))
    assert "1 proposals escalated" in tick(proposed_on + dt.timedelta(days=14))
    assert "0 proposals escalated" in tick(proposed_on + dt.timedelta(days=15))

    told = sent_to("certification_withdrawal_escalated")
    assert {quality.email, top.email, decision_maker.email} <= set(told)
    assert len(told) == len(set(told))
    stored = Suspension.objects.get(pk=suspension.pk)
    assert stored.escalated_at == noon(proposed_on + dt.timedelta(days=14))
    assert (
        AuditEvent.objects.filter(event_type=CertificationEvent.SUSPENSION_ESCALATED).count() == 1
    )


def test_a_late_tick_proposes_and_escalates_what_is_overdue_once(decision_maker: User) -> None:
    make_staff(RoleCode.QUALITY_MANAGER, email="quality@peritus.example")
    suspension = suspended(decision_maker)

    output = tick(suspension.deadline + dt.timedelta(days=40))  # tick not run for 40 days

    assert "1 withdrawals proposed, 0 proposals escalated" in output
    assert "1 proposals escalated" in tick(suspension.deadline + dt.timedelta(days=54))
    assert Suspension.objects.get(pk=suspension.pk).proposed_at == noon(
        suspension.deadline + dt.timedelta(days=40)
    )


def test_a_suspension_resolved_before_its_deadline_proposes_nothing(
    decision_maker: User,
) -> None:
    suspension = suspended(decision_maker)
    reinstate_certificate(
        certificate=suspension.certificate,
        actor=decision_maker,
        rationale="The signed statement was received and checked.",
    )

    assert "0 withdrawals proposed" in tick(suspension.deadline + dt.timedelta(days=1))

    assert sent_to("certification_withdrawal_proposed") == []
    assert Suspension.objects.get(pk=suspension.pk).proposed_at is None
