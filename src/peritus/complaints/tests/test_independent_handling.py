"""Handlers are independent of the complaint's subject: a hard rule of the service, with the
stable code `handler_not_independent`, audited when refused. The handler declares independence
before giving the outcome, and only the assigned handler gives it."""

from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role
from peritus.audit_trail.models import AuditEvent
from peritus.certification.tests.factories import make_certificate
from peritus.complaints.models import ComplaintAbout, TriageCategory
from peritus.complaints.services import assign_handler, declare_independence, resolve_complaint
from peritus.complaints.tests.factories import accepted, being_handled, make_handler, submitted
from peritus.core.errors import DomainError
from peritus.impartiality.events import ImpartialityEvent
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_a_complaint_about_an_examiner_cannot_be_handled_by_that_examiner(
    quality_manager: User, examiner: User
) -> None:
    grant_role(examiner, RoleCode.COMPLAINTS_HANDLER)
    complaint = accepted(
        quality_manager, submitted(about=ComplaintAbout.EXAMINER), subject_staff=examiner
    )

    with pytest.raises(DomainError) as refused:
        assign_handler(actor=quality_manager, complaint=complaint, handler=examiner)

    assert refused.value.code == "handler_not_independent"
    assert refused.value.http_status == 403
    complaint.refresh_from_db()
    assert complaint.handler is None
    refusal = AuditEvent.objects.get(event_type=ImpartialityEvent.ACTION_REFUSED)
    assert refusal.data["code"] == "handler_not_independent"


def test_the_complainant_cannot_handle_their_own_complaint(quality_manager: User) -> None:
    colleague = make_handler(email="colleague@peritus.example")
    complaint = accepted(quality_manager, submitted(email="colleague@peritus.example"))

    with pytest.raises(DomainError) as refused:
        assign_handler(actor=quality_manager, complaint=complaint, handler=colleague)

    assert refused.value.code == "handler_not_independent"


def test_whoever_decided_the_certification_concerned_cannot_handle_it(
    quality_manager: User, decision_maker: User
) -> None:
    grant_role(decision_maker, RoleCode.COMPLAINTS_HANDLER)
    certificate = make_certificate(decided_by=decision_maker)
    complaint = accepted(
        quality_manager, submitted(about=ComplaintAbout.CERTIFIED_PERSON),
        category=TriageCategory.ABOUT_CERTIFIED_PERSON, subject_certificate=certificate,
    )  # fmt: skip

    with pytest.raises(DomainError) as refused:
        assign_handler(actor=quality_manager, complaint=complaint, handler=decision_maker)

    assert refused.value.code == "handler_not_independent"


def test_the_handler_must_be_a_complaints_handler(quality_manager: User, officer: User) -> None:
    complaint = accepted(quality_manager)

    with pytest.raises(DomainError) as refused:
        assign_handler(actor=quality_manager, complaint=complaint, handler=officer)

    assert refused.value.code == "handler_role_missing"


def test_the_examiner_complained_about_may_not_assign_a_handler_either(
    quality_manager: User, examiner: User, handler: User
) -> None:
    grant_role(examiner, RoleCode.COMPLAINTS_HANDLER)
    complaint = accepted(
        quality_manager, submitted(about=ComplaintAbout.EXAMINER), subject_staff=examiner
    )

    with pytest.raises(DomainError) as refused:
        assign_handler(actor=examiner, complaint=complaint, handler=handler)

    assert refused.value.code == "subject_may_not_act"


def test_an_independent_handler_is_assigned_and_told(quality_manager: User, handler: User) -> None:
    complaint = accepted(quality_manager)

    assign_handler(actor=quality_manager, complaint=complaint, handler=handler)

    complaint.refresh_from_db()
    assert complaint.handler == handler
    notice = OutboxMessage.objects.get(template="complaints_handler_assigned")
    assert notice.recipient_email == handler.email


def test_no_handler_before_the_complaint_is_validated(quality_manager: User, handler: User) -> None:
    with pytest.raises(DomainError) as refused:
        assign_handler(actor=quality_manager, complaint=submitted(), handler=handler)

    assert refused.value.code == "not_accepted"


def test_the_outcome_needs_the_handlers_declaration(quality_manager: User, handler: User) -> None:
    complaint = assign_handler(
        actor=quality_manager, complaint=accepted(quality_manager), handler=handler
    )

    with pytest.raises(DomainError) as refused:
        resolve_complaint(actor=handler, complaint=complaint, outcome="upheld", findings="Late.")
    assert refused.value.code == "independence_not_declared"

    declare_independence(actor=handler, complaint=complaint)
    resolved = resolve_complaint(
        actor=handler, complaint=complaint, outcome="upheld", findings="Late."
    )
    assert resolved.outcome == "upheld"


def test_only_the_assigned_handler_gives_the_outcome(quality_manager: User, handler: User) -> None:
    complaint = being_handled(quality_manager, handler)
    other = make_handler(email="other-handler@peritus.example")

    with pytest.raises(DomainError) as refused:
        resolve_complaint(actor=other, complaint=complaint, outcome="upheld", findings="Late.")

    assert refused.value.code == "not_the_handler"


def test_a_reassignment_asks_the_new_handler_to_declare_again(
    quality_manager: User, handler: User
) -> None:
    complaint = being_handled(quality_manager, handler)
    other = make_handler(email="other-handler@peritus.example")

    complaint = assign_handler(actor=quality_manager, complaint=complaint, handler=other)

    assert complaint.handler == other
    assert complaint.handler_declared_at is None
