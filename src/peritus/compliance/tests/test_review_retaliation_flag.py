"""R25: a quality manager who took no part in the adverse decision reviews the flag, with reasons."""

from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role
from peritus.audit_trail.models import AuditEvent
from peritus.compliance.errors import ComplianceError, ComplianceInputError, ImpartialityError
from peritus.compliance.events import ComplianceEvent
from peritus.compliance.models import AdverseKind, Conclusion, FlagStatus, RetaliationFlag
from peritus.compliance.services import review_retaliation_flag
from peritus.compliance.tests.factories import complained_then_refused
from peritus.qms.models import CorrectiveAction

pytestmark = pytest.mark.django_db


def test_a_complainant_refused_ten_days_later_is_flagged(candidate: User) -> None:
    flag = complained_then_refused(candidate)

    assert flag.kind == AdverseKind.CERTIFICATION_REFUSED
    assert flag.complaint is not None
    assert flag.appeal is None


def test_the_quality_manager_concludes_no_concern_with_reasons(
    candidate: User, quality_manager: User
) -> None:
    flag = complained_then_refused(candidate)

    review_retaliation_flag(
        actor=quality_manager,
        flag=flag,
        conclusion=Conclusion.NO_CONCERN,
        reasons="The refusal rests on a failed written exam marked before the complaint.",
    )

    flag.refresh_from_db()
    assert flag.status == FlagStatus.REVIEWED
    assert flag.reviewed_by == quality_manager
    assert AuditEvent.objects.filter(event_type=ComplianceEvent.RETALIATION_REVIEWED).exists()


def test_a_concern_raises_a_corrective_action_from_the_flag(
    candidate: User, quality_manager: User
) -> None:
    flag = complained_then_refused(candidate)

    review_retaliation_flag(
        actor=quality_manager,
        flag=flag,
        conclusion=Conclusion.CONCERN,
        reasons="The decision maker cites the complaint in the rationale.",
        raise_action=True,
    )

    flag.refresh_from_db()
    assert flag.corrective_action == CorrectiveAction.objects.get()
    assert flag.corrective_action.owner == quality_manager


def test_the_decision_maker_may_not_review_their_own_decision(candidate: User) -> None:
    flag = complained_then_refused(candidate)
    assert flag.decided_by is not None
    grant_role(flag.decided_by, RoleCode.QUALITY_MANAGER)

    with pytest.raises(ImpartialityError) as refusal:
        review_retaliation_flag(
            actor=flag.decided_by, flag=flag, conclusion=Conclusion.NO_CONCERN, reasons="Fine."
        )

    assert refusal.value.code == "reviewer_took_part"
    assert RetaliationFlag.objects.get(pk=flag.pk).status == FlagStatus.OPEN


def test_reasons_are_required_and_a_flag_is_reviewed_once(
    candidate: User, quality_manager: User
) -> None:
    flag = complained_then_refused(candidate)

    with pytest.raises(ComplianceInputError):
        review_retaliation_flag(
            actor=quality_manager, flag=flag, conclusion=Conclusion.NO_CONCERN, reasons="  "
        )
    review_retaliation_flag(
        actor=quality_manager, flag=flag, conclusion=Conclusion.NO_CONCERN, reasons="Sound."
    )
    with pytest.raises(ComplianceError):
        review_retaliation_flag(
            actor=quality_manager, flag=flag, conclusion=Conclusion.CONCERN, reasons="Again."
        )
