"""R23: progress reports, a written outcome and a formal closure notice reach the complainant,
who may have no account; publicity of the outcome is agreed with the parties (9.9)."""

from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.complaints.models import ComplaintStatus, Publicity
from peritus.complaints.services import (
    add_note,
    close_complaint,
    report_progress,
    resolve_complaint,
    withdraw_complaint,
)
from peritus.complaints.tests.factories import being_handled, submitted
from peritus.core.errors import DomainError
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_the_complainant_hears_of_progress_the_outcome_and_the_closure(
    quality_manager: User, handler: User
) -> None:
    complaint = being_handled(quality_manager, handler)

    report_progress(actor=handler, complaint=complaint, message="We asked the exam centre.")
    add_note(actor=handler, complaint=complaint, body="Centre confirms the delay.")
    resolve_complaint(
        actor=handler, complaint=complaint, outcome="upheld",
        findings="The letters were posted late.",
    )  # fmt: skip
    close_complaint(actor=handler, complaint=complaint, note="Letters now go out on time.")

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    sent = {
        message.template: message
        for message in OutboxMessage.objects.filter(recipient_email=complaint.complainant_email)
    }
    assert set(sent) >= {
        "complaints_acknowledgement", "complaints_accepted", "complaints_progress",
        "complaints_outcome", "complaints_closed",
    }  # fmt: skip
    assert "We asked the exam centre." in sent["complaints_progress"].body
    assert "The letters were posted late." in sent["complaints_outcome"].body
    assert "Centre confirms the delay." not in "".join(m.body for m in sent.values())
    assert complaint.last_update_at is not None


def test_a_complaint_closes_only_once_its_outcome_is_given(
    quality_manager: User, handler: User
) -> None:
    complaint = being_handled(quality_manager, handler)

    with pytest.raises(DomainError) as refused:
        close_complaint(actor=quality_manager, complaint=complaint, note="Done")

    assert refused.value.code == "no_outcome_yet"


def test_publishing_the_outcome_needs_the_agreement_of_the_parties_recorded(
    quality_manager: User, handler: User
) -> None:
    complaint = being_handled(quality_manager, handler)

    with pytest.raises(DomainError) as refused:
        resolve_complaint(
            actor=handler, complaint=complaint, outcome="upheld", findings="Late.",
            publicity=Publicity.PUBLISHED,
        )  # fmt: skip

    assert refused.value.code == "publicity_not_agreed"
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.IN_PROGRESS


def test_an_examiner_cannot_report_progress_on_a_complaint(
    quality_manager: User, handler: User, examiner: User
) -> None:
    complaint = being_handled(quality_manager, handler)

    with pytest.raises(DomainError) as refused:
        report_progress(actor=examiner, complaint=complaint, message="Hello")

    assert refused.value.code == "role_not_held"


def test_a_withdrawn_complaint_is_finished_and_the_complainant_is_told(
    quality_manager: User,
) -> None:
    complaint = submitted()

    withdraw_complaint(actor=quality_manager, complaint=complaint, reason="Phoned to withdraw.")

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.WITHDRAWN
    assert OutboxMessage.objects.filter(template="complaints_withdrawn").count() == 1
    with pytest.raises(DomainError) as refused:
        report_progress(actor=quality_manager, complaint=complaint, message="Hello")
    assert refused.value.code == "not_open"
