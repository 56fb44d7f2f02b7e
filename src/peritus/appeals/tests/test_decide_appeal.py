from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.appeals.errors import (
    AppealsError,
    AppealsInputError,
    AppealsNotPermittedError,
    ImpartialityError,
)
from peritus.appeals.models import (
    Appeal,
    AppealActionKind,
    AppealOutcome,
    AppealStatus,
)
from peritus.appeals.services import (
    add_appeal_action,
    add_appeal_note,
    close_appeal,
    complete_appeal_action,
    decide_appeal,
    link_new_decision,
    raise_corrective_action_from_appeal,
    request_new_decision,
)
from peritus.appeals.tests.factories import (
    RefusedFile,
    decided,
    lodged,
    make_panel_member,
    under_review,
)
from peritus.certification.models import DecisionOutcome
from peritus.certification.tests.factories import make_decision
from peritus.notifications.models import OutboxMessage
from peritus.qms.models import ActionSource, CorrectiveAction

pytestmark = pytest.mark.django_db

REASONS = "The second page of the answer was not marked; it meets the criteria."


def test_the_panel_decides_with_reasons_and_the_appellant_is_told(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = under_review(lodged(candidate, refused.decision), panel_member)
    add_appeal_note(actor=panel_member, appeal=appeal, body="Page 2 of the script was skipped.")

    decide_appeal(
        actor=panel_member, appeal=appeal, outcome=AppealOutcome.PARTLY_UPHELD, reasons=REASONS
    )

    stored = Appeal.objects.get(pk=appeal.pk)
    assert (stored.status, stored.outcome, stored.outcome_reasons) == (
        AppealStatus.DECIDED,
        AppealOutcome.PARTLY_UPHELD,
        REASONS,
    )
    assert stored.decided_by == panel_member
    notice = OutboxMessage.objects.get(template="appeals_outcome")
    assert notice.recipient_email == "candidate@peritus.example"
    assert REASONS in notice.body
    assert "Partly upheld" in notice.body


def test_a_decision_needs_reasons(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = under_review(lodged(candidate, refused.decision), panel_member)

    with pytest.raises(AppealsInputError) as refusal:
        decide_appeal(
            actor=panel_member, appeal=appeal, outcome=AppealOutcome.DISMISSED, reasons=""
        )

    assert refusal.value.code == "reasons_required"
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.UNDER_REVIEW


def test_a_panel_member_not_on_this_panel_cannot_decide(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = under_review(lodged(candidate, refused.decision), panel_member)
    stranger = make_panel_member()

    with pytest.raises(AppealsNotPermittedError) as refusal:
        decide_appeal(actor=stranger, appeal=appeal, outcome=AppealOutcome.UPHELD, reasons=REASONS)

    assert refusal.value.code == "not_on_panel"


def test_every_member_declares_before_the_panel_decides(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    from peritus.appeals.services import assign_panel_member

    appeal = under_review(lodged(candidate, refused.decision), panel_member)
    assign_panel_member(actor=panel_member, appeal=appeal, member=make_panel_member())

    with pytest.raises(AppealsError) as refusal:
        decide_appeal(
            actor=panel_member, appeal=appeal, outcome=AppealOutcome.UPHELD, reasons=REASONS
        )

    assert refusal.value.code == "declarations_missing"


def test_an_upheld_appeal_asks_an_uninvolved_decision_maker_for_a_new_decision(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = decided(lodged(candidate, refused.decision), panel_member, AppealOutcome.UPHELD)
    fresh = make_staff(RoleCode.DECISION_MAKER, email="fresh@peritus.example")

    with pytest.raises(ImpartialityError) as refusal:
        request_new_decision(
            actor=panel_member,
            appeal=appeal,
            decision_maker=refused.decision_maker,
            description="Decide again on the re-marked paper.",
        )
    assert refusal.value.code == "decision_maker_involved"

    action = request_new_decision(
        actor=panel_member,
        appeal=appeal,
        decision_maker=fresh,
        description="Decide again on the re-marked paper.",
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )
    assert OutboxMessage.objects.filter(
        template="appeals_new_decision_requested", recipient_email="fresh@peritus.example"
    ).exists()
    with pytest.raises(AppealsError) as still_open:
        close_appeal(actor=panel_member, appeal=appeal)
    assert still_open.value.code == "actions_open"

    new = make_decision(
        application=refused.decision.application,
        outcome=DecisionOutcome.GRANT,
        decided_by=fresh,
    )
    link_new_decision(actor=fresh, action=action, decision=new)
    close_appeal(actor=panel_member, appeal=appeal, note="Re-decided.")

    stored = Appeal.objects.get(pk=appeal.pk)
    assert stored.status == AppealStatus.CLOSED
    done = stored.actions.get()
    assert (done.new_decision, done.certification_record) == (new, new.reference)


def test_a_dismissed_appeal_asks_for_no_new_decision(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = decided(lodged(candidate, refused.decision), panel_member, AppealOutcome.DISMISSED)

    with pytest.raises(AppealsError) as refusal:
        request_new_decision(
            actor=panel_member,
            appeal=appeal,
            decision_maker=make_staff(RoleCode.DECISION_MAKER),
            description="Decide again.",
        )

    assert refusal.value.code == "not_upheld"


def test_a_corrective_action_enters_the_capa_register_linked_to_the_appeal(
    candidate: User, refused: RefusedFile, panel_member: User, quality_manager: User
) -> None:
    appeal = decided(lodged(candidate, refused.decision), panel_member, AppealOutcome.DISMISSED)

    action = raise_corrective_action_from_appeal(
        actor=panel_member,
        appeal=appeal,
        title="Markers check every page",
        description="A marker missed the second page of a script.",
        owner=quality_manager,
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )

    corrective = CorrectiveAction.objects.get()
    assert (corrective.source, corrective.source_id, corrective.owner) == (
        ActionSource.APPEAL,
        appeal.pk,
        quality_manager,
    )
    assert action.kind == AppealActionKind.CORRECTIVE_ACTION
    assert action.corrective_action == corrective
    assert action.is_done
    assert OutboxMessage.objects.filter(
        template="qms_corrective_action_assigned", recipient_email="quality@peritus.example"
    ).exists()
    close_appeal(actor=panel_member, appeal=appeal)
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.CLOSED


def test_another_action_is_done_by_its_assignee_before_closure(
    candidate: User, refused: RefusedFile, panel_member: User, quality_manager: User
) -> None:
    appeal = decided(lodged(candidate, refused.decision), panel_member, AppealOutcome.UPHELD)
    action = add_appeal_action(
        actor=panel_member,
        appeal=appeal,
        kind=AppealActionKind.REASSESSMENT,
        description="Re-mark the paper with a second marker.",
        assignee=quality_manager,
    )
    with pytest.raises(AppealsError) as still_open:
        close_appeal(actor=panel_member, appeal=appeal)
    assert still_open.value.code == "actions_open"

    complete_appeal_action(actor=quality_manager, action=action, note="Re-marked: 74 of 100.")
    close_appeal(actor=quality_manager, appeal=appeal)

    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.CLOSED
