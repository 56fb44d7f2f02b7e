from __future__ import annotations

import pytest

from peritus.accounts.models import Person, Role, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError, ImpartialityError
from peritus.impartiality.events import ImpartialityEvent
from peritus.impartiality.models import (
    ConflictDeclaration,
    ConflictMitigation,
    MitigationKind,
    MitigationStatus,
)
from peritus.impartiality.selectors import has_unmitigated_conflict
from peritus.impartiality.services import (
    approve_mitigation,
    declare_interests,
    propose_mitigation,
    reject_mitigation,
)
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflict(examiner: User, candidate_person: Person, context_a: Role) -> ConflictDeclaration:
    return declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True, nature="colleague",
        details="Worked in the same inspection team in 2024", context=context_a,
    )  # fmt: skip


@pytest.fixture
def proposal(examiner: User, conflict: ConflictDeclaration) -> ConflictMitigation:
    return propose_mitigation(
        actor=examiner, declaration=conflict, kind=MitigationKind.SECOND_EXAMINER,
        description="An independent second examiner marks every answer as well.",
    )  # fmt: skip


def test_the_declarant_may_propose_a_measure(proposal: ConflictMitigation, examiner: User) -> None:
    assert proposal.status == MitigationStatus.PROPOSED
    assert proposal.proposed_by == examiner
    assert AuditEvent.objects.filter(event_type=ImpartialityEvent.MITIGATION_PROPOSED).exists()


def test_a_proposed_measure_does_not_yet_lift_the_conflict(
    proposal: ConflictMitigation, examiner: User, candidate_person: Person, context_a: Role
) -> None:
    assert has_unmitigated_conflict(examiner, candidate_person, context=context_a)


def test_another_person_approves_the_measure_and_the_conflict_is_mitigated(
    proposal: ConflictMitigation,
    quality_manager: User,
    examiner: User,
    candidate_person: Person,
    context_a: Role,
) -> None:
    approved = approve_mitigation(actor=quality_manager, mitigation=proposal, reason="Sound")

    assert approved.status == MitigationStatus.APPROVED
    assert approved.decided_by == quality_manager
    assert not has_unmitigated_conflict(examiner, candidate_person, context=context_a)
    event = AuditEvent.objects.get(event_type=ImpartialityEvent.MITIGATION_APPROVED)
    assert event.actor_id == quality_manager.pk
    message = OutboxMessage.objects.get(template="impartiality_mitigation_decided")
    assert message.recipient_user == examiner


def test_the_declarant_cannot_approve_their_own_mitigation(
    conflict: ConflictDeclaration, examiner: User, quality_manager: User
) -> None:
    # Even when the declarant also holds the quality manager role.
    from peritus.accounts.tests.factories import grant_role

    grant_role(examiner, RoleCode.QUALITY_MANAGER)
    mitigation = propose_mitigation(
        actor=quality_manager, declaration=conflict, kind="recorded_session",
        description="The oral exam is recorded and reviewed by the quality manager.",
    )  # fmt: skip

    with pytest.raises(ImpartialityError) as error:
        approve_mitigation(actor=examiner, mitigation=mitigation)

    assert error.value.code == "own_conflict"
    assert ConflictMitigation.objects.get(pk=mitigation.pk).status == MitigationStatus.PROPOSED


def test_the_proposer_cannot_approve_their_own_proposal(
    conflict: ConflictDeclaration, quality_manager: User
) -> None:
    mitigation = propose_mitigation(
        actor=quality_manager, declaration=conflict, kind="second_examiner",
        description="A second examiner marks too.",
    )  # fmt: skip

    with pytest.raises(ImpartialityError) as error:
        approve_mitigation(actor=quality_manager, mitigation=mitigation)

    assert error.value.code == "own_proposal"


def test_an_approver_with_their_own_conflict_is_refused(
    proposal: ConflictMitigation, committee_member: User, candidate_person: Person
) -> None:
    declare_interests(
        actor=committee_member, person=candidate_person, has_conflict=True, nature="relative",
        details="Brother-in-law",
    )  # fmt: skip

    with pytest.raises(ImpartialityError) as error:
        approve_mitigation(actor=committee_member, mitigation=proposal)

    assert error.value.code == "approver_has_conflict"


def test_only_the_quality_manager_or_the_committee_approves(
    proposal: ConflictMitigation, decision_maker: User
) -> None:
    with pytest.raises(DomainError) as error:
        approve_mitigation(actor=decision_maker, mitigation=proposal)

    assert error.value.code == "role_not_held"


def test_a_rejection_needs_a_reason_and_keeps_the_conflict(
    proposal: ConflictMitigation,
    committee_member: User,
    examiner: User,
    candidate_person: Person,
    context_a: Role,
) -> None:
    with pytest.raises(DomainError) as error:
        reject_mitigation(actor=committee_member, mitigation=proposal, reason=" ")
    assert error.value.code == "reason_required"

    rejected = reject_mitigation(
        actor=committee_member, mitigation=proposal, reason="A colleague cannot examine."
    )

    assert rejected.status == MitigationStatus.REJECTED
    assert has_unmitigated_conflict(examiner, candidate_person, context=context_a)
    assert AuditEvent.objects.filter(event_type=ImpartialityEvent.MITIGATION_REJECTED).exists()


def test_a_decided_measure_cannot_be_decided_again(
    proposal: ConflictMitigation, quality_manager: User, committee_member: User
) -> None:
    approve_mitigation(actor=quality_manager, mitigation=proposal)

    with pytest.raises(DomainError) as error:
        reject_mitigation(actor=committee_member, mitigation=proposal, reason="Second thoughts")

    assert error.value.code == "not_proposed"


def test_a_second_proposal_while_one_is_open_is_refused(
    proposal: ConflictMitigation, examiner: User, conflict: ConflictDeclaration
) -> None:
    with pytest.raises(DomainError) as error:
        propose_mitigation(
            actor=examiner, declaration=conflict, kind="other", description="Something else"
        )

    assert error.value.code == "mitigation_exists"


def test_after_a_rejection_another_measure_may_be_proposed(
    proposal: ConflictMitigation,
    committee_member: User,
    examiner: User,
    conflict: ConflictDeclaration,
) -> None:
    reject_mitigation(actor=committee_member, mitigation=proposal, reason="Not enough")

    again = propose_mitigation(
        actor=examiner, declaration=conflict, kind="reassignment",
        description="Another examiner takes the candidate.",
    )  # fmt: skip

    assert again.status == MitigationStatus.PROPOSED


def test_no_conflict_has_nothing_to_mitigate(
    examiner: User, candidate_person: Person, context_b: Role
) -> None:
    clean = declare_interests(
        actor=examiner, person=candidate_person, has_conflict=False, context=context_b
    )

    with pytest.raises(DomainError) as error:
        propose_mitigation(
            actor=examiner, declaration=clean, kind="other", description="Nothing to do"
        )

    assert error.value.code == "no_conflict_to_mitigate"


def test_a_measure_needs_a_description(examiner: User, conflict: ConflictDeclaration) -> None:
    with pytest.raises(DomainError) as error:
        propose_mitigation(actor=examiner, declaration=conflict, kind="other", description=" ")

    assert error.value.code == "description_required"


def test_an_unrelated_member_of_the_personnel_cannot_propose(
    conflict: ConflictDeclaration,
) -> None:
    stranger = make_staff(RoleCode.ITEM_AUTHOR)

    with pytest.raises(DomainError) as error:
        propose_mitigation(
            actor=stranger, declaration=conflict, kind="other", description="A measure"
        )

    assert error.value.code == "role_not_held"


def test_a_mitigation_holds_only_in_the_context_where_it_was_approved(
    proposal: ConflictMitigation,
    quality_manager: User,
    examiner: User,
    candidate_person: Person,
    context_b: Role,
) -> None:
    approve_mitigation(actor=quality_manager, mitigation=proposal)

    assert has_unmitigated_conflict(examiner, candidate_person, context=context_b)
    assert not has_unmitigated_conflict(examiner, candidate_person)


def test_a_refused_approval_is_logged_although_nothing_changed(
    conflict: ConflictDeclaration, quality_manager: User
) -> None:
    mitigation = propose_mitigation(
        actor=quality_manager, declaration=conflict, kind="second_examiner",
        description="A second examiner marks too.",
    )  # fmt: skip

    with pytest.raises(ImpartialityError):
        approve_mitigation(actor=quality_manager, mitigation=mitigation)

    refusal = AuditEvent.objects.get(event_type=ImpartialityEvent.ACTION_REFUSED)
    assert refusal.actor_id == quality_manager.pk
    assert refusal.subject_id == str(mitigation.pk)
    assert refusal.data == {"action": "approve_mitigation", "code": "own_proposal"}
    assert not AuditEvent.objects.filter(event_type=ImpartialityEvent.MITIGATION_APPROVED).exists()
