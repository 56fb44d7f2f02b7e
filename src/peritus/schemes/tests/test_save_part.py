from __future__ import annotations

from decimal import Decimal

import pytest

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.schemes.errors import SchemeError, SchemeInputError
from peritus.schemes.events import SchemesEvent
from peritus.schemes.models import (
    AssessmentComponent,
    CompetenceDomain,
    CompetenceTask,
    Prerequisite,
    SchemeVersionStatus,
)
from peritus.schemes.services import PartKind, remove_part, save_part
from peritus.schemes.tests.factories import make_complete_version, make_version

pytestmark = pytest.mark.django_db


def test_a_prerequisite_limited_to_a_level_is_added(scheme_manager: User) -> None:
    version = make_complete_version()
    level_2 = version.scope_items.get(code="L2")

    part = save_part(
        actor=scheme_manager,
        version=version,
        kind=PartKind.PREREQUISITE,
        values={
            "code": "EXP60",
            "kind": "experience",
            "description": "60 months of weld inspection",
            "minimum_months": 60,
            "scope_items": [level_2],
        },
    )

    assert isinstance(part, Prerequisite)
    assert list(part.scope_items.all()) == [level_2]
    event = AuditEvent.objects.filter(event_type=SchemesEvent.VERSION_EDITED).get()
    assert event.data["part"] == "prerequisite"
    assert event.data["action"] == "added"


def test_a_component_is_changed(scheme_manager: User) -> None:
    version = make_complete_version()
    component = version.components.get()

    save_part(
        actor=scheme_manager,
        version=version,
        kind=PartKind.COMPONENT,
        part_id=component.pk,
        values={"pass_mark": Decimal(65)},
    )

    assert AssessmentComponent.objects.get(pk=component.pk).pass_mark == Decimal(65)


def test_a_pass_mark_above_the_maximum_is_refused(scheme_manager: User) -> None:
    version = make_complete_version()

    with pytest.raises(SchemeInputError) as error:
        save_part(
            actor=scheme_manager,
            version=version,
            kind=PartKind.COMPONENT,
            values={"code": "ORAL", "name": "Oral", "kind": "oral", "max_score": Decimal(20),
                    "pass_mark": Decimal(21)},
        )  # fmt: skip

    assert error.value.code == "pass_mark_above_maximum"


def test_a_part_with_missing_or_wrong_values_is_refused(scheme_manager: User) -> None:
    with pytest.raises(SchemeInputError) as error:
        save_part(
            actor=scheme_manager,
            version=make_version(),
            kind=PartKind.FEE,
            values={"kind": "bribe", "description": "", "amount": Decimal(-1)},
        )

    assert error.value.code == "invalid"
    assert set(error.value.details["fields"]) >= {"kind", "description", "amount"}


def test_codes_are_unique_within_a_version(scheme_manager: User) -> None:
    version = make_complete_version()

    with pytest.raises(SchemeError) as error:
        save_part(
            actor=scheme_manager,
            version=version,
            kind=PartKind.SCOPE_ITEM,
            values={"code": "L1", "title": "Level one again"},
        )

    assert error.value.code == "duplicate_code"


def test_parts_of_another_version_cannot_be_touched(scheme_manager: User) -> None:
    version = make_complete_version()
    foreign = make_complete_version().components.get()

    with pytest.raises(SchemeError) as error:
        remove_part(
            actor=scheme_manager, version=version, kind=PartKind.COMPONENT, part_id=foreign.pk
        )

    assert error.value.code == "wrong_version"


def test_a_task_is_added_only_under_a_domain_of_the_version(scheme_manager: User) -> None:
    version = make_complete_version()
    foreign_domain = make_complete_version().competence_domains.get()

    with pytest.raises(SchemeError) as error:
        save_part(
            actor=scheme_manager,
            version=version,
            kind=PartKind.COMPETENCE_TASK,
            values={"domain": foreign_domain, "code": "T9", "title": "Report findings"},
        )

    assert error.value.code == "wrong_version"


def test_a_task_is_added_under_a_domain(scheme_manager: User) -> None:
    version = make_complete_version()
    domain = version.competence_domains.get()

    task = save_part(
        actor=scheme_manager,
        version=version,
        kind=PartKind.COMPETENCE_TASK,
        values={"domain": domain, "code": "T2", "title": "Report findings"},
    )

    assert isinstance(task, CompetenceTask)
    assert [t.code for t in domain.tasks.all()] == ["T1", "T2"]


def test_removing_a_domain_removes_its_tasks(scheme_manager: User) -> None:
    version = make_complete_version()
    domain = version.competence_domains.get()

    remove_part(
        actor=scheme_manager, version=version, kind=PartKind.COMPETENCE_DOMAIN, part_id=domain.pk
    )

    assert not CompetenceDomain.objects.filter(pk=domain.pk).exists()
    assert not CompetenceTask.objects.filter(domain_id=domain.pk).exists()
    event = AuditEvent.objects.get(event_type=SchemesEvent.VERSION_EDITED)
    assert event.data == {"part": "competence_domain", "action": "removed"}


def test_parts_of_a_published_version_are_immutable(scheme_manager: User) -> None:
    version = make_complete_version(status=SchemeVersionStatus.PUBLISHED)
    component = version.components.get()

    with pytest.raises(SchemeError) as error:
        save_part(
            actor=scheme_manager,
            version=version,
            kind=PartKind.COMPONENT,
            part_id=component.pk,
            values={"pass_mark": Decimal(1)},
        )
    assert error.value.code == "not_draft"

    with pytest.raises(SchemeError) as error:
        remove_part(
            actor=scheme_manager, version=version, kind=PartKind.COMPONENT, part_id=component.pk
        )
    assert error.value.code == "not_draft"
