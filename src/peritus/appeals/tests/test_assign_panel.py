from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role
from peritus.appeals.errors import (
    AppealsError,
    AppealsInputError,
    AppealsNotPermittedError,
    ImpartialityError,
)
from peritus.appeals.models import Appeal, AppealStatus, PanelMembership
from peritus.appeals.services import (
    admit_appeal,
    assign_panel_member,
    declare_panel_interests,
)
from peritus.appeals.tests.factories import RefusedFile, lodged, make_panel_member
from peritus.audit_trail.models import AuditEvent
from peritus.impartiality.events import ImpartialityEvent

pytestmark = pytest.mark.django_db


def admitted(candidate: User, refused: RefusedFile, panel_member: User) -> Appeal:
    appeal = lodged(candidate, refused.decision)
    admit_appeal(actor=panel_member, appeal=appeal)
    return Appeal.objects.get(pk=appeal.pk)


def test_the_original_decision_maker_is_refused_a_seat_on_the_panel(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = admitted(candidate, refused, panel_member)
    grant_role(refused.decision_maker, RoleCode.APPEALS_PANEL)

    with pytest.raises(ImpartialityError) as refusal:
        assign_panel_member(actor=panel_member, appeal=appeal, member=refused.decision_maker)

    assert refusal.value.code == "panel_member_made_original_decision"
    assert refusal.value.http_status == 403
    assert not PanelMembership.objects.exists()
    assert AuditEvent.objects.filter(
        event_type=ImpartialityEvent.ACTION_REFUSED,
        payload__contains="panel_member_made_original_decision",
    ).exists()


def test_the_examiner_of_the_appellant_is_refused_a_seat_on_the_panel(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = admitted(candidate, refused, panel_member)
    grant_role(refused.examiner, RoleCode.APPEALS_PANEL)

    with pytest.raises(ImpartialityError) as refusal:
        assign_panel_member(actor=panel_member, appeal=appeal, member=refused.examiner)

    assert refusal.value.code == "panel_member_examined_appellant"
    assert not PanelMembership.objects.exists()


def test_someone_involved_cannot_validate_the_appeal_either(
    candidate: User, refused: RefusedFile
) -> None:
    appeal = lodged(candidate, refused.decision)
    grant_role(refused.examiner, RoleCode.APPEALS_PANEL)

    with pytest.raises(ImpartialityError) as refusal:
        admit_appeal(actor=refused.examiner, appeal=appeal)

    assert refusal.value.code == "panel_member_examined_appellant"
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RECEIVED


def test_an_uninvolved_member_joins_and_declares(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = admitted(candidate, refused, panel_member)
    other = make_panel_member()

    membership = assign_panel_member(actor=panel_member, appeal=appeal, member=other)
    assert not membership.has_declared
    declare_panel_interests(actor=other, appeal=appeal, has_conflict=False)

    assert PanelMembership.objects.get(pk=membership.pk).has_declared


def test_a_member_who_declares_a_conflict_leaves_the_panel(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = admitted(candidate, refused, panel_member)
    other = make_panel_member()
    assign_panel_member(actor=panel_member, appeal=appeal, member=other)

    membership = declare_panel_interests(
        actor=other, appeal=appeal, has_conflict=True, nature="relative", details="My cousin."
    )

    assert membership.ended_at is not None
    with pytest.raises(AppealsNotPermittedError) as not_on_panel:
        declare_panel_interests(actor=other, appeal=appeal, has_conflict=False)
    assert not_on_panel.value.code == "not_on_panel"
    with pytest.raises(ImpartialityError) as refusal:
        assign_panel_member(actor=panel_member, appeal=appeal, member=other)
    assert refusal.value.code == "panel_member_declared_conflict"


def test_only_holders_of_the_panel_role_sit_on_a_panel(
    candidate: User, refused: RefusedFile, panel_member: User, officer: User
) -> None:
    appeal = admitted(candidate, refused, panel_member)

    with pytest.raises(AppealsInputError) as refusal:
        assign_panel_member(actor=panel_member, appeal=appeal, member=officer)

    assert refusal.value.code == "not_an_appeals_panel_member"


def test_no_panel_before_the_appeal_is_admitted(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = lodged(candidate, refused.decision)

    with pytest.raises(AppealsError) as refusal:
        assign_panel_member(actor=panel_member, appeal=appeal, member=panel_member)

    assert refusal.value.code == "not_under_review"
