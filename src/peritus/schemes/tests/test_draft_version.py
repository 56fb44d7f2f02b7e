from __future__ import annotations

from decimal import Decimal

import pytest

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.schemes.errors import SchemeError, SchemeInputError
from peritus.schemes.events import SchemesEvent
from peritus.schemes.models import SchemeVersionStatus
from peritus.schemes.services import draft_version, draft_version_from, edit_version
from peritus.schemes.tests.factories import make_complete_version, make_scheme, make_version

pytestmark = pytest.mark.django_db


def test_a_first_draft_starts_with_the_body_public_statements(scheme_manager: User) -> None:
    scheme = make_scheme()

    version = draft_version(
        actor=scheme_manager, scheme=scheme, version="2026.1", values={"validity_months": 36}
    )

    assert version.status == SchemeVersionStatus.DRAFT
    assert version.validity_months == 36
    assert "appeal" in version.appeals_policy
    assert version.impartiality_statement
    assert list(version.contributors.all()) == [scheme_manager]
    assert AuditEvent.objects.filter(event_type=SchemesEvent.VERSION_DRAFTED).count() == 1


def test_a_version_label_is_used_once_per_scheme(scheme_manager: User) -> None:
    version = make_version()

    with pytest.raises(SchemeError) as error:
        draft_version(actor=scheme_manager, scheme=version.scheme, version=version.version)

    assert error.value.code == "version_exists"


def test_a_manager_of_another_scheme_cannot_draft(scheme_manager: User) -> None:
    other_manager = make_staff(RoleCode.SCHEME_MANAGER, scheme=make_scheme())

    with pytest.raises(RoleNotHeldError):
        draft_version(actor=other_manager, scheme=make_scheme(), version="1")


def test_editing_a_draft_records_the_fields_and_the_editor(
    scheme_manager: User, committee_member: User
) -> None:
    version = make_version(created_by=committee_member)

    edit_version(
        actor=scheme_manager,
        version=version,
        values={"validity_months": 60, "code_of_conduct": version.code_of_conduct},
    )

    event = AuditEvent.objects.get(event_type=SchemesEvent.VERSION_EDITED)
    assert event.data["fields"] == ["validity_months"]
    assert scheme_manager in version.contributors.all()


@pytest.mark.parametrize(
    "status",
    [SchemeVersionStatus.APPROVED, SchemeVersionStatus.PUBLISHED, SchemeVersionStatus.RETIRED],
)
def test_only_a_draft_can_be_edited(scheme_manager: User, status: str) -> None:
    version = make_complete_version(status=status)

    with pytest.raises(SchemeError) as error:
        edit_version(actor=scheme_manager, version=version, values={"validity_months": 12})

    assert error.value.code == "not_draft"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"overall_pass_percent": Decimal(120)}, "invalid"),
        ({"combination_rule": "majority"}, "invalid"),
        ({"status": "published"}, "unknown_field"),
        ({"approved_by": None}, "unknown_field"),
    ],
)
def test_impossible_values_are_refused(
    scheme_manager: User, values: dict[str, object], code: str
) -> None:
    with pytest.raises(SchemeInputError) as error:
        edit_version(actor=scheme_manager, version=make_version(), values=values)

    assert error.value.code == code


def test_a_new_version_copies_the_published_one_with_all_its_parts(scheme_manager: User) -> None:
    published = make_complete_version(status=SchemeVersionStatus.PUBLISHED, components=2)
    level_2 = published.scope_items.get(code="L2")
    senior = published.prerequisites.create(
        code="SENIOR", kind="experience", description="60 months"
    )
    senior.scope_items.set([level_2])

    draft = draft_version_from(actor=scheme_manager, source=published, version="2027.1")

    assert draft.status == SchemeVersionStatus.DRAFT
    assert draft.based_on == published
    assert draft.code_of_conduct == published.code_of_conduct
    assert [c.code for c in draft.components.all()] == ["C1", "C2"]
    assert draft.competence_domains.get().tasks.count() == 1
    copied_senior = draft.prerequisites.get(code="SENIOR")
    assert [item.code for item in copied_senior.scope_items.all()] == ["L2"]
    assert copied_senior.scope_items.get().scheme_version == draft
    assert draft.fees.count() == published.fees.count()


def test_a_new_version_is_drafted_from_a_published_one_only(scheme_manager: User) -> None:
    with pytest.raises(SchemeError) as error:
        draft_version_from(actor=scheme_manager, source=make_complete_version(), version="9")

    assert error.value.code == "not_published"
