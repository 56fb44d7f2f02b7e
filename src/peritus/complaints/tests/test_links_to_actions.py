"""A complaint leads to a suspension proposal for a decision maker (who suspends through the
certification service) and to corrective actions for the body (qms)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.certification.models import Certificate, CertificateStatus
from peritus.certification.tests.factories import make_certificate
from peritus.complaints.models import (
    Complaint,
    ComplaintAbout,
    ProposalStatus,
    SuspensionProposal,
    TriageCategory,
)
from peritus.complaints.services import (
    decide_suspension_proposal,
    propose_suspension,
    raise_corrective_action,
)
from peritus.complaints.tests.factories import accepted, being_handled, submitted
from peritus.core.errors import DomainError
from peritus.notifications.models import OutboxMessage
from peritus.qms.models import ActionSource
from peritus.qms.selectors import list_corrective_actions_for

pytestmark = pytest.mark.django_db


def _about_person(manager: User, handler: User) -> tuple[Complaint, Certificate]:
    certificate = make_certificate()
    complaint = accepted(
        manager, submitted(about=ComplaintAbout.CERTIFIED_PERSON),
        category=TriageCategory.ABOUT_CERTIFIED_PERSON, subject_certificate=certificate,
    )  # fmt: skip
    return being_handled(manager, handler, complaint), certificate


def _propose(handler: User, complaint: Complaint, certificate: Certificate) -> SuspensionProposal:
    return propose_suspension(
        actor=handler, complaint=complaint, certificate=certificate,
        reasons="Signed off welds that failed an independent test.",
        conditions="Pass a supervised practical re-assessment.",
        deadline=timezone.localdate() + dt.timedelta(days=90),
    )  # fmt: skip


def test_a_decision_maker_suspends_the_certificate_as_proposed(
    quality_manager: User, handler: User
) -> None:
    complaint, certificate = _about_person(quality_manager, handler)
    decider = make_staff(RoleCode.DECISION_MAKER, email="decider2@peritus.example")

    proposal = _propose(handler, complaint, certificate)
    asked = OutboxMessage.objects.filter(template="complaints_suspension_proposed")
    assert decider.email in {message.recipient_email for message in asked}

    decided = decide_suspension_proposal(actor=decider, proposal=proposal, suspend=True)

    assert decided.status == ProposalStatus.SUSPENDED
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.SUSPENDED
    told = OutboxMessage.objects.get(template="complaints_suspension_decided")
    assert told.recipient_email == handler.email


def test_a_handler_cannot_suspend_by_deciding_their_own_proposal(
    quality_manager: User, handler: User
) -> None:
    complaint, certificate = _about_person(quality_manager, handler)
    proposal = _propose(handler, complaint, certificate)

    with pytest.raises(DomainError):
        decide_suspension_proposal(actor=handler, proposal=proposal, suspend=True)

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_declining_needs_a_note_and_leaves_the_certificate_valid(
    quality_manager: User, handler: User
) -> None:
    complaint, certificate = _about_person(quality_manager, handler)
    decider = make_staff(RoleCode.DECISION_MAKER, email="decider2@peritus.example")
    proposal = _propose(handler, complaint, certificate)

    with pytest.raises(DomainError) as refused:
        decide_suspension_proposal(actor=decider, proposal=proposal, suspend=False)
    assert refused.value.code == "note_required"

    decline = decide_suspension_proposal(
        actor=decider, proposal=proposal, suspend=False, note="Evidence not conclusive yet."
    )
    assert decline.status == ProposalStatus.DECLINED
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    with pytest.raises(DomainError) as again:
        decide_suspension_proposal(actor=decider, proposal=decline, suspend=True)
    assert again.value.code == "proposal_decided"


def test_a_suspension_is_proposed_only_for_the_person_complained_about(
    quality_manager: User, handler: User
) -> None:
    complaint, _certificate = _about_person(quality_manager, handler)
    someone_elses = make_certificate()

    with pytest.raises(DomainError) as refused:
        _propose(handler, complaint, someone_elses)

    assert refused.value.code == "certificate_of_another_person"


def test_a_complaint_about_the_body_cannot_lead_to_a_suspension(
    quality_manager: User, handler: User
) -> None:
    complaint = being_handled(quality_manager, handler)

    with pytest.raises(DomainError) as refused:
        _propose(handler, complaint, make_certificate())

    assert refused.value.code == "not_about_a_certified_person"


def test_the_same_suspension_is_not_proposed_twice(quality_manager: User, handler: User) -> None:
    complaint, certificate = _about_person(quality_manager, handler)
    _propose(handler, complaint, certificate)

    with pytest.raises(DomainError) as refused:
        _propose(handler, complaint, certificate)

    assert refused.value.code == "already_proposed"


def test_the_handler_raises_a_corrective_action_linked_to_the_complaint(
    quality_manager: User, handler: User
) -> None:
    complaint = being_handled(quality_manager, handler)

    action = raise_corrective_action(
        actor=handler, complaint=complaint, title="Results letters go out late",
        description="Letters posted three weeks after the announced date.",
        owner=quality_manager, due_on=timezone.localdate() + dt.timedelta(days=30),
    )  # fmt: skip

    assert action.source == ActionSource.COMPLAINT
    assert list(list_corrective_actions_for(complaint)) == [action]
    assert complaint.reference in action.source_label


def test_no_corrective_action_from_a_complaint_not_validated(quality_manager: User) -> None:
    with pytest.raises(DomainError) as refused:
        raise_corrective_action(
            actor=quality_manager, complaint=submitted(), title="x", description="y",
            owner=quality_manager, due_on=timezone.localdate() + dt.timedelta(days=30),
        )  # fmt: skip

    assert refused.value.code == "not_accepted"


def test_a_proposal_needs_a_deadline_for_the_conditions(
    quality_manager: User, handler: User
) -> None:
    complaint, certificate = _about_person(quality_manager, handler)

    with pytest.raises(DomainError) as refused:
        propose_suspension(
            actor=handler, complaint=complaint, certificate=certificate, reasons="Faked reports.",
            conditions="Re-assessment.", deadline=None,
        )  # fmt: skip

    assert refused.value.code == "deadline_required"
    assert not SuspensionProposal.objects.exists()
