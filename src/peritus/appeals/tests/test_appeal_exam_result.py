from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import get_person_of_user
from peritus.accounts.tests.factories import grant_role, make_staff
from peritus.appeals.errors import ImpartialityError
from peritus.appeals.models import AppealSubject
from peritus.appeals.services import admit_appeal, assign_panel_member, lodge_appeal
from peritus.appeals.subjects import list_appealable_records
from peritus.appeals.tests.factories import GROUNDS
from peritus.certification.tests.factories import make_assessed_application
from peritus.exams.models import ComponentResult

pytestmark = pytest.mark.django_db


def test_a_released_exam_result_is_appealed_and_its_invigilator_may_not_hear_it(
    candidate: User, officer: User, examiner: User, panel_member: User
) -> None:
    invigilator = make_staff(RoleCode.INVIGILATOR)
    application = make_assessed_application(
        officer=officer,
        examiner=examiner,
        person=get_person_of_user(candidate),
        scores=(62,),
        invigilator=invigilator,
    )
    result = ComponentResult.objects.get(application=application)
    offered = list_appealable_records(get_person_of_user(candidate))
    assert f"{AppealSubject.EXAM_RESULT}:{result.pk}" in [record.choice for record in offered]

    appeal = lodge_appeal(
        actor=candidate,
        subject_kind=AppealSubject.EXAM_RESULT,
        subject_key=str(result.pk),
        grounds=GROUNDS,
    )
    assert appeal.result == result
    assert appeal.application == application

    admit_appeal(actor=panel_member, appeal=appeal)
    grant_role(invigilator, RoleCode.APPEALS_PANEL)
    with pytest.raises(ImpartialityError) as refusal:
        assign_panel_member(actor=panel_member, appeal=appeal, member=invigilator)
    assert refusal.value.code == "panel_member_invigilated_appellant"
