from __future__ import annotations

import pytest

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage
from peritus.schemes.errors import SchemeError, SchemeInputError
from peritus.schemes.events import SchemesEvent
from peritus.schemes.models import CombinationRule, SchemeVersion, SchemeVersionStatus
from peritus.schemes.selectors import get_current_version
from peritus.schemes.services import publish_version, retire_version
from peritus.schemes.tests.factories import make_complete_version, make_scheme

pytestmark = pytest.mark.django_db


def test_publishing_replaces_and_retires_the_current_version(
    scheme_manager: User, committee_member: User
) -> None:
    scheme = make_scheme()
    old = make_complete_version(scheme=scheme, status=SchemeVersionStatus.PUBLISHED)
    new = make_complete_version(
        scheme=scheme, status=SchemeVersionStatus.APPROVED, created_by=committee_member
    )

    publish_version(actor=scheme_manager, version=new)

    assert get_current_version(scheme) == new
    old = SchemeVersion.objects.get(pk=old.pk)
    assert old.status == SchemeVersionStatus.RETIRED
    assert old.retired_by == scheme_manager
    assert new.version in old.retirement_reason
    assert AuditEvent.objects.filter(event_type=SchemesEvent.VERSION_RETIRED).count() == 1
    published = AuditEvent.objects.get(event_type=SchemesEvent.VERSION_PUBLISHED)
    assert published.data == {"version": new.version, "replaces": old.version}
    assert OutboxMessage.objects.get(template="schemes_version_published").recipient_user == (
        committee_member
    )


def test_only_an_approved_version_is_published(scheme_manager: User) -> None:
    with pytest.raises(SchemeError) as error:
        publish_version(actor=scheme_manager, version=make_complete_version())

    assert error.value.code == "not_approved"


def test_publication_is_refused_while_a_mandatory_part_is_empty(scheme_manager: User) -> None:
    version = make_complete_version(
        status=SchemeVersionStatus.APPROVED,
        combination_rule=CombinationRule.COMPENSATORY,
        validity_months=None,
    )
    version.fees.all().delete()

    with pytest.raises(SchemeError) as error:
        publish_version(actor=scheme_manager, version=version)

    assert error.value.code == "incomplete"
    assert set(error.value.details["missing"]) == {"validity", "fees", "pass_rule"}
    assert SchemeVersion.objects.get(pk=version.pk).status == SchemeVersionStatus.APPROVED


def test_the_committee_does_not_publish(committee_member: User) -> None:
    with pytest.raises(RoleNotHeldError):
        publish_version(
            actor=committee_member,
            version=make_complete_version(status=SchemeVersionStatus.APPROVED),
        )


def test_retiring_closes_the_scheme_to_new_applications(scheme_manager: User) -> None:
    version = make_complete_version(status=SchemeVersionStatus.PUBLISHED)

    retire_version(actor=scheme_manager, version=version, reason="Scheme discontinued")

    assert get_current_version(version.scheme) is None
    event = AuditEvent.objects.get(event_type=SchemesEvent.VERSION_RETIRED)
    assert event.reason == "Scheme discontinued"


def test_retiring_needs_a_published_version_and_a_reason(scheme_manager: User) -> None:
    with pytest.raises(SchemeError) as error:
        retire_version(actor=scheme_manager, version=make_complete_version(), reason="x")
    assert error.value.code == "not_published"

    with pytest.raises(SchemeInputError):
        retire_version(
            actor=scheme_manager,
            version=make_complete_version(status=SchemeVersionStatus.PUBLISHED),
            reason="",
        )
