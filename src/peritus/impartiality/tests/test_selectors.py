from __future__ import annotations

import pytest

from peritus.accounts.models import Person, Role, User
from peritus.impartiality.selectors import (
    count_conflicts_awaiting_mitigation,
    has_declared_conflict,
    has_unmitigated_conflict,
    list_declarant_ids_with_conflict,
    list_declarations,
    list_declarations_for_person,
    list_declarations_in,
    list_declarations_of,
)
from peritus.impartiality.services import approve_mitigation, declare_interests, propose_mitigation

pytestmark = pytest.mark.django_db


def test_nobody_has_a_conflict_before_declaring(examiner: User, candidate_person: Person) -> None:
    assert not has_declared_conflict(examiner, candidate_person)
    assert not has_unmitigated_conflict(examiner, candidate_person)
    assert list_declarant_ids_with_conflict(candidate_person) == set()


def test_a_conflict_declared_elsewhere_blocks_in_every_context(
    examiner: User, candidate_person: Person, context_a: Role, context_b: Role
) -> None:
    declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True, nature="employer",
        context=context_a,
    )  # fmt: skip

    assert has_unmitigated_conflict(examiner, candidate_person, context=context_b)
    assert not has_declared_conflict(examiner, candidate_person, context=context_b)
    assert has_declared_conflict(examiner.pk, candidate_person.pk)
    assert list_declarant_ids_with_conflict(candidate_person) == {examiner.pk}


def test_the_register_lists_conflicts_awaiting_mitigation(
    examiner: User,
    candidate_person: Person,
    context_a: Role,
    context_b: Role,
    quality_manager: User,
) -> None:
    mitigated = declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True, nature="employer",
        context=context_a,
    )  # fmt: skip
    waiting = declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True, nature="employer",
        context=context_b,
    )  # fmt: skip
    clean = declare_interests(actor=quality_manager, person=candidate_person, has_conflict=False)
    proposal = propose_mitigation(
        actor=examiner, declaration=mitigated, kind="second_examiner", description="Second marker"
    )
    approve_mitigation(actor=quality_manager, mitigation=proposal)

    assert list(list_declarations(awaiting_mitigation=True)) == [waiting]
    assert count_conflicts_awaiting_mitigation() == 1
    assert set(list_declarations(has_conflict=False)) == {clean}
    assert set(list_declarations(nature="employer")) == {mitigated, waiting}
    assert len(list_declarations_for_person(candidate_person)) == 3
    assert set(list_declarations_of(examiner)) == {mitigated, waiting}
    assert list(list_declarations_in(context_b)) == [waiting]


def test_the_register_runs_in_a_fixed_number_of_queries(
    examiner: User,
    candidate_person: Person,
    context_a: Role,
    django_assert_max_num_queries: object,
) -> None:
    declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True, nature="employer",
        context=context_a,
    )  # fmt: skip

    with django_assert_max_num_queries(3):  # type: ignore[operator]
        rows = [
            (d.declarant.full_name, d.person.full_name, d.mitigated, list(d.mitigations.all()))  # type: ignore[attr-defined]  # annotated by the selector
            for d in list_declarations()
        ]

    assert len(rows) == 1
