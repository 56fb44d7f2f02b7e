from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import Person, Role, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_candidate, make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError, ImpartialityError
from peritus.impartiality.events import ImpartialityEvent
from peritus.impartiality.models import ConflictDeclaration, ConflictNature
from peritus.impartiality.selectors import (
    get_latest_declaration,
    has_declaration,
    has_declared_conflict,
)
from peritus.impartiality.services import declare_interests, record_training

pytestmark = pytest.mark.django_db


def test_no_conflict_is_recorded_explicitly(
    examiner: User, candidate_person: Person, context_a: Role
) -> None:
    declaration = declare_interests(
        actor=examiner, person=candidate_person, has_conflict=False, context=context_a
    )

    assert declaration.has_conflict is False
    assert declaration.context == context_a
    assert has_declaration(examiner, candidate_person, context=context_a)
    assert not has_declared_conflict(examiner, candidate_person)
    event = AuditEvent.objects.get(event_type=ImpartialityEvent.DECLARATION_RECORDED)
    assert event.actor_id == examiner.pk
    assert event.subject_id == str(declaration.pk)


def test_a_declared_conflict_records_its_nature(
    examiner: User, candidate_person: Person, context_a: Role
) -> None:
    declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True,
        nature=ConflictNature.EMPLOYER, details="Same employer until 2025", context=context_a,
    )  # fmt: skip

    assert has_declared_conflict(examiner, candidate_person)
    assert has_declared_conflict(examiner, candidate_person, context=context_a)


def test_the_audit_payload_carries_no_details_of_the_interest(
    examiner: User, candidate_person: Person
) -> None:
    declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True,
        nature=ConflictNature.RELATIVE, details="My cousin",
    )  # fmt: skip

    event = AuditEvent.objects.get(event_type=ImpartialityEvent.DECLARATION_RECORDED)
    assert "cousin" not in event.payload


def test_a_conflict_without_its_nature_is_refused(examiner: User, candidate_person: Person) -> None:
    with pytest.raises(DomainError) as error:
        declare_interests(actor=examiner, person=candidate_person, has_conflict=True)

    assert error.value.code == "nature_required"
    assert not ConflictDeclaration.objects.exists()


def test_a_nature_without_a_conflict_is_refused(examiner: User, candidate_person: Person) -> None:
    with pytest.raises(DomainError) as error:
        declare_interests(
            actor=examiner, person=candidate_person, has_conflict=False, nature="employer"
        )

    assert error.value.code == "nature_without_conflict"


def test_an_unknown_nature_is_refused(examiner: User, candidate_person: Person) -> None:
    with pytest.raises(DomainError) as error:
        declare_interests(
            actor=examiner, person=candidate_person, has_conflict=True, nature="sponsor"
        )

    assert error.value.code == "unknown_nature"


def test_an_other_interest_must_be_described(examiner: User, candidate_person: Person) -> None:
    with pytest.raises(DomainError) as error:
        declare_interests(
            actor=examiner, person=candidate_person, has_conflict=True, nature="other"
        )

    assert error.value.code == "details_required"


def test_a_candidate_cannot_declare_for_the_body(outsider: User, candidate_person: Person) -> None:
    with pytest.raises(DomainError) as error:
        declare_interests(actor=outsider, person=candidate_person, has_conflict=False)

    assert error.value.code == "role_not_held"


def test_personnel_without_an_accepted_agreement_cannot_declare(candidate_person: Person) -> None:
    from peritus.accounts.tests.factories import UserFactory, grant_role

    newcomer: User = UserFactory.create()
    grant_role(newcomer, RoleCode.EXAMINER, accept_agreement=False)

    with pytest.raises(DomainError) as error:
        declare_interests(actor=newcomer, person=candidate_person, has_conflict=False)

    assert error.value.code == "agreement_not_accepted"


def test_no_conflict_twice_in_one_context_is_refused(
    examiner: User, candidate_person: Person, context_a: Role
) -> None:
    declare_interests(
        actor=examiner, person=candidate_person, has_conflict=False, context=context_a
    )

    with pytest.raises(DomainError) as error:
        declare_interests(
            actor=examiner, person=candidate_person, has_conflict=False, context=context_a
        )

    assert error.value.code == "already_declared"


def test_a_later_conflict_amends_an_earlier_no_conflict(
    examiner: User, candidate_person: Person, context_a: Role
) -> None:
    first = declare_interests(
        actor=examiner, person=candidate_person, has_conflict=False, context=context_a
    )

    second = declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True, nature="colleague",
        context=context_a,
    )  # fmt: skip

    assert get_latest_declaration(examiner, candidate_person, context=context_a) == second
    assert ConflictDeclaration.objects.filter(pk=first.pk).exists()
    event = AuditEvent.objects.filter(event_type=ImpartialityEvent.DECLARATION_RECORDED).latest(
        "sequence"
    )
    assert event.data["amends_declaration_id"] == first.pk


def test_a_declared_conflict_cannot_be_withdrawn(
    examiner: User, candidate_person: Person, context_a: Role
) -> None:
    declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True, nature="relative",
        context=context_a,
    )  # fmt: skip

    with pytest.raises(DomainError) as error:
        declare_interests(
            actor=examiner, person=candidate_person, has_conflict=False, context=context_a
        )

    assert error.value.code == "conflict_already_declared"


def test_declarations_in_different_contexts_are_separate(
    examiner: User, candidate_person: Person, context_a: Role, context_b: Role
) -> None:
    declare_interests(
        actor=examiner, person=candidate_person, has_conflict=False, context=context_a
    )
    declare_interests(
        actor=examiner, person=candidate_person, has_conflict=False, context=context_b
    )

    assert ConflictDeclaration.objects.count() == 2
    assert has_declaration(examiner, candidate_person, context=context_b)


def test_no_conflict_is_refused_from_a_recorded_trainer(
    examiner: User, candidate_person: Person, quality_manager: User
) -> None:
    today = timezone.localdate()
    record_training(
        actor=quality_manager, trainer=examiner, person=candidate_person, course="Weld inspection",
        started_on=today - dt.timedelta(days=400), ended_on=today - dt.timedelta(days=300),
    )  # fmt: skip

    with pytest.raises(ImpartialityError) as error:
        declare_interests(actor=examiner, person=candidate_person, has_conflict=False)

    assert error.value.code == "training_link_undeclared"
    declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True, nature=ConflictNature.TRAINER
    )
    assert has_declared_conflict(examiner, candidate_person)


def test_a_standing_declaration_has_no_context(examiner: User) -> None:
    other = make_candidate()
    person = Person.objects.get(user=other)

    declaration = declare_interests(
        actor=examiner, person=person, has_conflict=True, nature="relative", details="Sister"
    )

    assert declaration.context is None
    assert get_latest_declaration(examiner, person, context=None) == declaration


def test_any_active_member_of_the_personnel_may_declare(candidate_person: Person) -> None:
    quality = make_staff(RoleCode.QUALITY_MANAGER)

    declaration = declare_interests(actor=quality, person=candidate_person, has_conflict=False)

    assert declaration.declarant == quality


def test_no_conflict_is_refused_after_a_conflict_declared_elsewhere(
    examiner: User, candidate_person: Person, context_a: Role, context_b: Role
) -> None:
    declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True, nature="employer",
        context=context_a,
    )  # fmt: skip

    with pytest.raises(DomainError) as error:
        declare_interests(
            actor=examiner, person=candidate_person, has_conflict=False, context=context_b
        )

    assert error.value.code == "conflict_already_declared"
