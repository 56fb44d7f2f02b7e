from __future__ import annotations

import pytest

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.schemes.errors import SchemeError, SchemeInputError
from peritus.schemes.events import SchemesEvent
from peritus.schemes.services import change_scheme, create_scheme
from peritus.schemes.tests.factories import make_scheme

pytestmark = pytest.mark.django_db


def test_scheme_manager_opens_a_scheme(scheme_manager: User) -> None:
    scheme = create_scheme(
        actor=scheme_manager, code=" cwi ", slug="Welding-Inspector", name="Welding inspector"
    )

    assert (scheme.code, scheme.slug, scheme.created_by) == (
        "CWI",
        "welding-inspector",
        scheme_manager,
    )
    event = AuditEvent.objects.get(event_type=SchemesEvent.SCHEME_CREATED)
    assert event.actor_id == scheme_manager.pk


def test_code_and_slug_are_unique(scheme_manager: User) -> None:
    make_scheme(code="CWI", slug="cwi")

    with pytest.raises(SchemeError) as error:
        create_scheme(actor=scheme_manager, code="CWI", slug="other", name="Other")

    assert error.value.code == "scheme_exists"


def test_a_scheme_needs_a_name(scheme_manager: User) -> None:
    with pytest.raises(SchemeInputError) as error:
        create_scheme(actor=scheme_manager, code="X", slug="x", name="  ")

    assert error.value.code == "required"


def test_an_examiner_cannot_open_a_scheme(examiner: User) -> None:
    with pytest.raises(RoleNotHeldError) as error:
        create_scheme(actor=examiner, code="X", slug="x", name="X")

    assert error.value.code == "role_not_held"


def test_changing_a_scheme_records_which_fields_changed(scheme_manager: User) -> None:
    scheme = make_scheme()

    change_scheme(
        actor=scheme_manager, scheme=scheme, values={"summary": "New words", "name": scheme.name}
    )

    event = AuditEvent.objects.get(event_type=SchemesEvent.SCHEME_CHANGED)
    assert event.data["fields"] == ["summary"]


def test_the_code_of_a_scheme_cannot_be_changed(scheme_manager: User) -> None:
    with pytest.raises(SchemeInputError) as error:
        change_scheme(actor=scheme_manager, scheme=make_scheme(), values={"code": "NEW"})

    assert error.value.code == "unknown_field"
