from __future__ import annotations

import pytest

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage
from peritus.schemes.errors import SchemeError, SchemeImpartialityError, SchemeInputError
from peritus.schemes.events import SchemesEvent
from peritus.schemes.models import SchemeVersion, SchemeVersionStatus
from peritus.schemes.services import approve_version, reopen_version
from peritus.schemes.tests.factories import make_complete_version, make_version

pytestmark = pytest.mark.django_db


def test_committee_member_approves_a_complete_draft(
    scheme_manager: User, committee_member: User
) -> None:
    version = make_complete_version(created_by=scheme_manager)

    approve_version(actor=committee_member, version=version, approval_reference="Minutes 2026-04")

    version = SchemeVersion.objects.get(pk=version.pk)
    assert version.status == SchemeVersionStatus.APPROVED
    assert (version.approved_by, version.approval_reference) == (
        committee_member,
        "Minutes 2026-04",
    )
    assert version.approved_at is not None
    event = AuditEvent.objects.get(event_type=SchemesEvent.VERSION_APPROVED)
    assert event.actor_role == "scheme_committee"
    notice = OutboxMessage.objects.get(template="schemes_version_approved")
    assert notice.recipient_user == scheme_manager


def test_the_author_cannot_approve_their_own_version(committee_member: User) -> None:
    version = make_complete_version(created_by=committee_member)

    with pytest.raises(SchemeImpartialityError) as error:
        approve_version(actor=committee_member, version=version)

    assert error.value.code == "author_cannot_approve"


def test_an_editor_cannot_approve_the_version_they_edited(committee_member: User) -> None:
    version = make_complete_version()
    version.contributors.add(committee_member)

    with pytest.raises(SchemeImpartialityError):
        approve_version(actor=committee_member, version=version)


def test_an_incomplete_version_cannot_be_approved(committee_member: User) -> None:
    version = make_version(code_of_conduct="")

    with pytest.raises(SchemeError) as error:
        approve_version(actor=committee_member, version=version)

    assert error.value.code == "incomplete"
    assert {"scope_items", "competence", "prerequisites", "components", "fees",
            "code_of_conduct"} <= set(error.value.details["missing"])  # fmt: skip


def test_a_scheme_manager_is_not_the_committee(scheme_manager: User) -> None:
    with pytest.raises(RoleNotHeldError):
        approve_version(actor=scheme_manager, version=make_complete_version())


def test_an_approved_version_cannot_be_approved_again(committee_member: User) -> None:
    version = make_complete_version(status=SchemeVersionStatus.APPROVED)

    with pytest.raises(SchemeError) as error:
        approve_version(actor=committee_member, version=version)

    assert error.value.code == "not_draft"


def test_reopening_clears_the_approval_and_says_why(
    scheme_manager: User, committee_member: User
) -> None:
    version = make_complete_version(
        status=SchemeVersionStatus.APPROVED, approved_by=committee_member, created_by=scheme_manager
    )

    reopen_version(actor=committee_member, version=version, reason="Fee for resits is missing")

    version = SchemeVersion.objects.get(pk=version.pk)
    assert version.status == SchemeVersionStatus.DRAFT
    assert version.approved_by is None
    event = AuditEvent.objects.get(event_type=SchemesEvent.VERSION_REOPENED)
    assert event.reason == "Fee for resits is missing"
    assert OutboxMessage.objects.filter(template="schemes_version_reopened").count() == 1


def test_reopening_needs_a_reason_and_an_approved_version(committee_member: User) -> None:
    with pytest.raises(SchemeInputError):
        reopen_version(
            actor=committee_member,
            version=make_complete_version(status=SchemeVersionStatus.APPROVED),
            reason=" ",
        )
    with pytest.raises(SchemeError) as error:
        reopen_version(actor=committee_member, version=make_complete_version(), reason="x")
    assert error.value.code == "not_approved"
