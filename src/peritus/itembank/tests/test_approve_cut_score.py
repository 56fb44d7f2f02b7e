"""An approved cut score becomes the form's pass rule; never approved by whoever ran the study,
and a form is released for use only with one (R18)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.itembank.errors import ItemBankError, ItemImpartialityError, ItemInputError
from peritus.itembank.models import ExamForm
from peritus.itembank.selectors import get_form_for_delivery, list_approved_forms
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import StandardSettingStudy, StudyStatus
from peritus.itembank.statistics.selectors import (
    analysis_cut,
    get_form_pass_mark,
    has_approved_cut_score,
    is_released,
    list_released_forms,
)
from peritus.itembank.statistics.services import (
    approve_cut_score,
    open_rating_round,
    reject_cut_score,
    release_form_for_use,
)
from peritus.itembank.tests.statistics_factories import (
    FormSetup,
    approved_study,
    make_approved_form,
    make_judges,
    rate_all,
    run_study_to_proposal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> FormSetup:
    return make_approved_form(n_items=5, pass_mark=Decimal(4))


@pytest.fixture
def proposal(setup: FormSetup) -> StandardSettingStudy:
    return run_study_to_proposal(setup, make_judges(setup.scheme), ratings=(60, 70, 80))


@pytest.fixture
def manager(setup: FormSetup) -> User:
    return make_staff(RoleCode.SCHEME_MANAGER, scheme=setup.scheme)


def test_the_approved_pass_mark_is_the_forms_pass_rule(
    setup: FormSetup, proposal: StandardSettingStudy, manager: User
) -> None:
    assert not has_approved_cut_score(setup.form)
    assert analysis_cut(setup.form) == Decimal(4)  # the blueprint's fixed mark until then

    approved = approve_cut_score(actor=manager, study=proposal, comment="Panel sound.")

    assert approved.status == StudyStatus.APPROVED
    assert (approved.decided_by, approved.decision_comment) == (manager, "Panel sound.")
    assert has_approved_cut_score(setup.form)
    assert get_form_pass_mark(setup.form) == Decimal(4)  # 5 items x 70 % = 3.5, rounded up
    assert analysis_cut(setup.form) == Decimal(4)
    rule = AuditEvent.objects.get(event_type=StatisticsEvent.PASS_RULE_SET)
    assert rule.data == {
        "form": setup.form.code, "pass_mark": "4.00", "study": approved.pk, "superseded": [],
    }  # fmt: skip
    assert AuditEvent.objects.filter(event_type=StatisticsEvent.CUT_APPROVED).count() == 1


def test_the_psychometrician_who_ran_the_study_cannot_approve_it(
    setup: FormSetup, proposal: StandardSettingStudy
) -> None:
    with pytest.raises(ItemImpartialityError) as approving:
        approve_cut_score(actor=setup.psychometrician, study=proposal)
    with pytest.raises(ItemImpartialityError) as rejecting:
        reject_cut_score(actor=setup.psychometrician, study=proposal, comment="Mine.")

    assert approving.value.code == rejecting.value.code == "approver_ran_study"
    assert not has_approved_cut_score(setup.form)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (RoleCode.PSYCHOMETRICIAN, True),
        (RoleCode.SCHEME_MANAGER, True),
        (RoleCode.SCHEME_COMMITTEE, True),
        (RoleCode.ITEM_REVIEWER, False),
        (RoleCode.EXAMINER, False),
        (RoleCode.ASSESSOR, False),
    ],
)
def test_who_may_approve_a_cut_score(
    setup: FormSetup, proposal: StandardSettingStudy, role: RoleCode, allowed: bool
) -> None:
    approver = make_staff(role, scheme=setup.scheme)

    if allowed:
        assert approve_cut_score(actor=approver, study=proposal).status == StudyStatus.APPROVED
    else:
        with pytest.raises(DomainError) as error:
            approve_cut_score(actor=approver, study=proposal)
        assert error.value.code == "role_not_held"


def test_a_rejected_cut_goes_back_for_another_round(
    setup: FormSetup, proposal: StandardSettingStudy, manager: User
) -> None:
    with pytest.raises(ItemInputError) as silent:
        reject_cut_score(actor=manager, study=proposal, comment="")
    rejected = reject_cut_score(actor=manager, study=proposal, comment="Judges 2 and 3 diverge.")
    open_rating_round(actor=setup.psychometrician, study=rejected, discussion_notes="Re-rated.")

    assert silent.value.code == "comment_required"
    assert StandardSettingStudy.objects.get(pk=proposal.pk).status == StudyStatus.ROUND_OPEN
    assert AuditEvent.objects.filter(event_type=StatisticsEvent.CUT_REJECTED).count() == 1


def test_a_study_awaiting_nothing_cannot_be_approved(setup: FormSetup, manager: User) -> None:
    judges = make_judges(setup.scheme)
    study = run_study_to_proposal(setup, judges)
    approve_cut_score(actor=manager, study=study)

    with pytest.raises(ItemBankError) as error:
        approve_cut_score(actor=manager, study=study)

    assert error.value.code == "wrong_status"


def test_a_later_approved_study_supersedes_the_earlier_pass_rule(
    setup: FormSetup, manager: User
) -> None:
    first = approved_study(setup, approver=manager)
    judges = make_judges(setup.scheme)
    second = run_study_to_proposal(setup, judges, ratings=(40, 40, 40))

    approve_cut_score(actor=manager, study=second)

    assert StandardSettingStudy.objects.get(pk=first.pk).status == StudyStatus.SUPERSEDED
    assert get_form_pass_mark(setup.form) == Decimal(2)
    rule = AuditEvent.objects.filter(event_type=StatisticsEvent.PASS_RULE_SET).last()
    assert rule is not None
    assert rule.data["superseded"] == [first.pk]


def test_a_form_goes_live_only_with_an_approved_cut_score(
    setup: FormSetup, proposal: StandardSettingStudy, manager: User
) -> None:
    with pytest.raises(ItemBankError) as refused:
        release_form_for_use(actor=manager, form=setup.form)
    with pytest.raises(ExamForm.DoesNotExist):
        get_form_for_delivery(setup.form.pk)

    approve_cut_score(actor=manager, study=proposal)
    release = release_form_for_use(actor=setup.psychometrician, form=setup.form)

    assert refused.value.code == "no_approved_cut_score"
    assert release.study == StandardSettingStudy.objects.get(pk=proposal.pk)
    assert is_released(setup.form)
    assert list(list_released_forms()) == [setup.form]
    assert get_form_for_delivery(setup.form.pk) == setup.form
    assert list(list_approved_forms()) == [setup.form]
    event = AuditEvent.objects.get(event_type=StatisticsEvent.FORM_RELEASED)
    assert event.data["pass_mark"] == "4.00"


def test_a_form_is_released_once(setup: FormSetup, manager: User) -> None:
    approved_study(setup, approver=manager)
    release_form_for_use(actor=manager, form=setup.form)

    with pytest.raises(ItemBankError) as error:
        release_form_for_use(actor=manager, form=setup.form)

    assert error.value.code == "already_released"


@pytest.mark.parametrize("role", [RoleCode.ITEM_AUTHOR, RoleCode.ASSESSOR, RoleCode.EXAMINER])
def test_only_a_psychometrician_or_the_scheme_manager_releases_a_form(
    setup: FormSetup, manager: User, role: RoleCode
) -> None:
    approved_study(setup, approver=manager)

    with pytest.raises(DomainError) as error:
        release_form_for_use(actor=make_staff(role, scheme=setup.scheme), form=setup.form)

    assert error.value.code == "role_not_held"


def test_a_retired_form_is_not_released(setup: FormSetup, manager: User) -> None:
    from peritus.itembank.services import retire_form

    approved_study(setup, approver=manager)
    retire_form(actor=setup.psychometrician, form=setup.form, reason="Replaced by form B")

    with pytest.raises(ItemBankError) as error:
        release_form_for_use(actor=manager, form=setup.form)

    assert error.value.code == "form_not_approved"


def test_judges_rate_items_they_may_not_otherwise_see_only_through_the_study(
    setup: FormSetup,
) -> None:
    judges = make_judges(setup.scheme)
    study = run_study_to_proposal(setup, judges)

    with pytest.raises(ItemBankError) as error:
        rate_all(study, judges[0], 50)

    assert error.value.code == "round_not_open"
