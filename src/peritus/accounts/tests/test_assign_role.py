from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.errors import AccountsError, AccountsInputError, RoleNotHeldError
from peritus.accounts.models import AgreementAcceptance, Role, RoleAssignment, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import current_agreement_for, forget_cached_roles, has_role
from peritus.accounts.services import assign_role, revoke_role
from peritus.accounts.tests.factories import grant_role, make_user
from peritus.audit_trail.models import AuditEvent
from peritus.schemes.models import Scheme

pytestmark = pytest.mark.django_db


def test_assigning_a_role_is_audited_with_who_and_which_role(administrator: User) -> None:
    user = make_user()

    assignment = assign_role(
        actor=administrator, user=user, role=RoleCode.EXAMINER, reason="New examiner"
    )

    event = AuditEvent.objects.get(event_type="accounts.role_assignment.created")
    assert (event.actor, event.reason, event.data["role"]) == (
        administrator,
        "New examiner",
        "examiner",
    )
    assert event.subject_id == str(assignment.pk)


def test_only_an_administrator_may_assign_roles(officer: User) -> None:
    with pytest.raises(RoleNotHeldError) as error:
        assign_role(actor=officer, user=make_user(), role=RoleCode.EXAMINER)

    assert error.value.code == "role_not_held"
    assert not RoleAssignment.objects.filter(role__code="examiner").exists()


def test_sales_and_scoring_cannot_be_combined_in_one_person(administrator: User) -> None:
    user = make_user()
    assign_role(actor=administrator, user=user, role=RoleCode.FINANCE_OFFICER)

    with pytest.raises(AccountsError) as error:
        assign_role(actor=administrator, user=user, role=RoleCode.EXAMINER)

    assert error.value.code == "incompatible_roles"


def test_an_accreditation_assessor_holds_no_other_role(administrator: User) -> None:
    user = make_user()
    assign_role(
        actor=administrator, user=user, role=RoleCode.ASSESSOR,
        valid_until=timezone.localdate() + dt.timedelta(days=10),
    )  # fmt: skip

    with pytest.raises(AccountsError) as error:
        assign_role(actor=administrator, user=user, role=RoleCode.EXAMINER)

    assert error.value.code == "incompatible_roles"


def test_the_assessor_role_needs_an_end_date(administrator: User) -> None:
    with pytest.raises(AccountsInputError) as error:
        assign_role(actor=administrator, user=make_user(), role=RoleCode.ASSESSOR)

    assert error.value.code == "end_date_required"


def test_an_assessor_loses_access_the_day_after_their_end_date(administrator: User) -> None:
    user = make_user()
    grant_role(user, RoleCode.ASSESSOR, valid_until=timezone.localdate())
    assert has_role(user, RoleCode.ASSESSOR)

    assignment = RoleAssignment.objects.get(user=user)
    assert assignment not in RoleAssignment.objects.current(
        timezone.localdate() + dt.timedelta(days=1)
    )


def test_a_scheme_scoped_role_does_not_reach_other_schemes(db: None) -> None:
    welding = Scheme.objects.create(code="WI", slug="welding", name="Welding inspector")
    cloud = Scheme.objects.create(code="CS", slug="cloud", name="Cloud security")
    user = make_user()
    grant_role(user, RoleCode.DECISION_MAKER, scheme=welding)

    assert has_role(user, RoleCode.DECISION_MAKER, scheme_id=welding.pk)
    assert not has_role(user, RoleCode.DECISION_MAKER, scheme_id=cloud.pk)


def test_a_revoked_role_no_longer_acts_and_the_revocation_is_audited(administrator: User) -> None:
    user = make_user()
    assignment = grant_role(user, RoleCode.EXAMINER)

    revoke_role(actor=administrator, assignment=assignment, reason="Left the body")

    assert not has_role(User.objects.get(pk=user.pk), RoleCode.EXAMINER)
    assert AuditEvent.objects.filter(
        event_type="accounts.role_assignment.revoked", reason="Left the body"
    ).exists()


def test_revoking_needs_a_reason(administrator: User) -> None:
    assignment = grant_role(make_user(), RoleCode.EXAMINER)

    with pytest.raises(AccountsInputError) as error:
        revoke_role(actor=administrator, assignment=assignment, reason=" ")

    assert error.value.code == "reason_required"


def accept_examiner_agreement(user: User) -> None:
    agreement = current_agreement_for(Role.objects.get(code=RoleCode.EXAMINER))
    if agreement is not None:
        AgreementAcceptance.objects.create(user=user, agreement=agreement)
    forget_cached_roles(user)


def test_an_examiner_is_approved_for_the_languages_given(administrator: User) -> None:
    user = make_user()

    assign_role(actor=administrator, user=user, role=RoleCode.EXAMINER, languages=["fr", "de"])
    accept_examiner_agreement(user)

    assert has_role(user, RoleCode.EXAMINER, language="fr")
    assert has_role(user, RoleCode.EXAMINER, language="de")
    assert not has_role(user, RoleCode.EXAMINER, language="en")
    event = AuditEvent.objects.get(event_type="accounts.role_assignment.created")
    assert event.data["languages"] == ["de", "fr"]


def test_an_approval_without_languages_covers_every_language(administrator: User) -> None:
    user = make_user()

    assign_role(actor=administrator, user=user, role=RoleCode.EXAMINER)
    accept_examiner_agreement(user)

    assert has_role(user, RoleCode.EXAMINER, language="es")


@pytest.mark.parametrize(
    ("role", "languages", "code"),
    [
        (RoleCode.EXAMINER, ["xx"], "unknown_language"),
        (RoleCode.DECISION_MAKER, ["en"], "languages_for_examiners_only"),
    ],
)
def test_languages_are_refused_when_unknown_or_not_for_an_examiner(
    administrator: User, role: RoleCode, languages: list[str], code: str
) -> None:
    user = make_user()

    with pytest.raises(AccountsInputError) as error:
        assign_role(actor=administrator, user=user, role=role, languages=languages)

    assert error.value.code == code
    assert not RoleAssignment.objects.filter(user=user).exists()
