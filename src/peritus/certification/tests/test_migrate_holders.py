"""The scheme manager moves the holders of a scheme version to the newer published version:
preview with a transition date, confirm, each certificate reissued under the new version (same
number, scope, expiry and status), every holder notified, audited; refusals change nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.certification.errors import CertificationError, CertificationInputError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    BulkItemOutcome,
    BulkOperation,
    BulkOperationItem,
    BulkOperationStatus,
    Certificate,
    CertificateStatus,
    LifecycleAction,
    LifecycleDecision,
)
from peritus.certification.services import suspend_certificate
from peritus.certification.services.bulk import (
    confirm_bulk_operation,
    prepare_migration,
    run_due_operations,
    run_scheduled_operation,
)
from peritus.certification.services.migration import migrate_certificate
from peritus.impartiality.tests.factories import office_client
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_holder, make_valid_certificate, reload
from peritus.schemes.models import SchemeVersion, SchemeVersionStatus
from peritus.schemes.tests.factories import make_complete_version, make_published_version

pytestmark = pytest.mark.django_db

SCHEDULED_JOB = "certification-scheduled-operations"

REASON = "Version 2027 replaces 2026: updated code of practice."


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def successor(old: SchemeVersion) -> SchemeVersion:
    """The old version retired, a new one of the same scheme published (with L1 and L2)."""
    SchemeVersion.objects.filter(pk=old.pk).update(status=SchemeVersionStatus.RETIRED)
    return make_complete_version(
        scheme=old.scheme, status=SchemeVersionStatus.PUBLISHED, change_summary="New code."
    )


@pytest.fixture
def scheme_manager(db: None) -> User:
    return make_staff(RoleCode.SCHEME_MANAGER, email="schemes@peritus.example")


def holders(version: SchemeVersion, count: int = 2) -> list[Certificate]:
    return [
        make_valid_certificate(holder=make_holder(f"h{n}@peritus.example"), version=version)
        for n in range(count)
    ]


def prepare(
    actor: User, old: SchemeVersion, new: SchemeVersion, on: dt.date | None = None
) -> BulkOperation:
    return prepare_migration(
        actor=actor,
        source_version=old,
        target_version=new,
        effective_on=on or timezone.localdate(),
        reason=REASON,
    )


def form(old: SchemeVersion, new: SchemeVersion, **more: Any) -> dict[str, Any]:
    return {
        "source": old.pk,
        "target": new.pk,
        "effective_on": timezone.localdate().isoformat(),
        "reason": REASON,
        **more,
    }


def test_the_preview_lists_every_holder_and_who_cannot_move(scheme_manager: User) -> None:
    old = make_published_version()
    first, second = holders(old)
    suspend_certificate(
        certificate=second,
        actor=make_staff(RoleCode.DECISION_MAKER),
        reason="Fee.",
        conditions="Pay.",
        deadline=in_days(30),
    )
    new = successor(old)
    client = office_client(scheme_manager)

    response = client.post(reverse("certification:migration-create"), form(old, new))

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "2 certificates are listed; 1 would be refused." in page
    assert first.number in page
    assert reverse("certification:certificate-detail", args=[first.number]) not in page
    assert "The certificate is suspended: end the suspension first." in page
    assert reload(first).scheme_version == old
    assert not LifecycleDecision.objects.filter(action=LifecycleAction.MIGRATE).exists()


def test_confirmed_today_each_certificate_is_reissued_under_the_new_version(
    scheme_manager: User,
) -> None:
    old = make_published_version()
    certificates = holders(old)
    new = successor(old)
    operation = prepare(scheme_manager, old, new)
    before = {c.pk: (c.number, c.expires_on, c.status) for c in certificates}

    response = office_client(scheme_manager).post(
        reverse("certification:bulk-confirm", args=[operation.reference]), {"reviewed": "on"}
    )

    assert response.status_code == 302
    for certificate in certificates:
        stored = reload(certificate)
        assert stored.scheme_version == new
        assert stored.revision == 2
        assert (stored.number, stored.expires_on, stored.status) == before[certificate.pk]
        assert sorted(item.code for item in stored.scope_items.all()) == ["L1", "L2"]
        assert {item.scheme_version_id for item in stored.scope_items.all()} == {new.pk}
    decisions = LifecycleDecision.objects.filter(action=LifecycleAction.MIGRATE)
    assert decisions.count() == 2
    assert all(decision.bulk_operation == operation for decision in decisions)
    notices = OutboxMessage.objects.filter(template="certification_certificate_migrated")
    assert notices.count() == 2
    assert new.version in notices.first().body  # type: ignore[union-attr]
    assert (
        AuditEvent.objects.filter(event_type=CertificationEvent.CERTIFICATE_MIGRATED).count() == 2
    )
    assert BulkOperation.objects.get(pk=operation.pk).status == BulkOperationStatus.EXECUTED


def test_a_suspended_holder_is_refused_and_keeps_the_old_version(scheme_manager: User) -> None:
    old = make_published_version()
    (certificate,) = holders(old, 1)
    suspend_certificate(
        certificate=certificate,
        actor=make_staff(RoleCode.DECISION_MAKER),
        reason="Fee.",
        conditions="Pay.",
        deadline=in_days(30),
    )
    new = successor(old)

    confirm_bulk_operation(operation=prepare(scheme_manager, old, new), actor=scheme_manager)

    item = BulkOperationItem.objects.get()
    assert (item.outcome, item.code) == (BulkItemOutcome.REFUSED, "certificate_suspended")
    stored = reload(certificate)
    assert (stored.scheme_version, stored.status) == (old, CertificateStatus.SUSPENDED)


def test_a_scope_item_the_new_version_lacks_is_refused_by_name(scheme_manager: User) -> None:
    old = make_published_version()
    (certificate,) = holders(old, 1)
    new = successor(old)
    new.scope_items.filter(code="L2").update(code="L3")

    confirm_bulk_operation(operation=prepare(scheme_manager, old, new), actor=scheme_manager)

    item = BulkOperationItem.objects.get()
    assert (item.outcome, item.code) == (BulkItemOutcome.REFUSED, "scope_not_in_version")
    assert "L2" in item.message
    assert reload(certificate).revision == 1


def test_a_move_for_a_later_date_waits_for_it(scheme_manager: User) -> None:
    old = make_published_version()
    (certificate,) = holders(old, 1)
    new = successor(old)
    operation = prepare(scheme_manager, old, new, on=in_days(14))
    client = office_client(scheme_manager)

    client.post(
        reverse("certification:bulk-confirm", args=[operation.reference]), {"reviewed": "on"}
    )
    early = client.post(reverse("certification:bulk-run", args=[operation.reference]))

    assert BulkOperation.objects.get(pk=operation.pk).status == BulkOperationStatus.SCHEDULED
    assert early.status_code == 409
    assert "has not come yet" in early.content.decode()
    assert reload(certificate).scheme_version == old
    assert run_due_operations(now=timezone.now()) == 0

    due = timezone.now() + dt.timedelta(days=14)
    output = io.StringIO()
    with time_machine.travel(due, tick=False):
        call_command("tick", "--now", due.isoformat(), "--job", SCHEDULED_JOB, stdout=output)
        call_command("tick", "--now", due.isoformat(), "--job", SCHEDULED_JOB, "--force")

    assert "1 scheduled operations run" in output.getvalue()
    assert reload(certificate).scheme_version == new
    assert reload(certificate).revision == 2  # the second tick did not move it again
    assert BulkOperation.objects.get(pk=operation.pk).status == BulkOperationStatus.EXECUTED
    with pytest.raises(CertificationError):
        run_scheduled_operation(operation=operation, actor=scheme_manager)


def test_a_run_in_progress_is_not_started_twice(scheme_manager: User) -> None:
    old = make_published_version()
    (certificate,) = holders(old, 1)
    new = successor(old)
    operation = prepare(scheme_manager, old, new, on=in_days(1))
    confirm_bulk_operation(operation=operation, actor=scheme_manager)
    # The date has come and another run (the tick job, say) has just claimed it.
    BulkOperation.objects.filter(pk=operation.pk).update(
        effective_on=timezone.localdate(), executed_at=timezone.now()
    )

    ran = run_due_operations(now=timezone.now())
    with pytest.raises(CertificationError) as error:
        run_scheduled_operation(operation=operation, actor=scheme_manager)

    assert ran == 0
    assert error.value.code == "operation_running"
    assert reload(certificate).scheme_version == old


def test_the_target_must_be_the_published_version_of_the_same_scheme(
    scheme_manager: User,
) -> None:
    old = make_published_version()
    holders(old, 1)
    elsewhere = make_published_version()
    draft = make_complete_version(scheme=old.scheme)

    with pytest.raises(CertificationInputError) as other_scheme:
        prepare(scheme_manager, old, elsewhere)
    with pytest.raises(CertificationInputError) as unpublished:
        prepare(scheme_manager, old, draft)

    assert other_scheme.value.code == "version_of_another_scheme"
    assert unpublished.value.code == "version_not_published"
    assert not BulkOperation.objects.exists()


def test_a_transition_date_in_the_past_is_refused_on_the_page(scheme_manager: User) -> None:
    old = make_published_version()
    holders(old, 1)
    new = successor(old)

    page = office_client(scheme_manager).post(
        reverse("certification:migration-create"),
        form(old, new, effective_on=in_days(-1).isoformat()),
    )

    assert page.status_code == 422
    assert "The transition date cannot be in the past." in page.content.decode()
    assert not BulkOperation.objects.exists()


def test_a_version_without_holders_has_nobody_to_move(scheme_manager: User) -> None:
    old = make_published_version()
    new = successor(old)

    with pytest.raises(CertificationInputError) as error:
        prepare(scheme_manager, old, new)

    assert error.value.code == "no_holders"


@pytest.mark.parametrize("role", [RoleCode.DECISION_MAKER, RoleCode.CERTIFICATION_OFFICER])
def test_only_the_scheme_manager_moves_holders(role: RoleCode) -> None:
    old = make_published_version()
    (certificate,) = holders(old, 1)
    new = successor(old)
    actor = make_staff(role)

    page = office_client(actor).post(reverse("certification:migration-create"), form(old, new))
    with pytest.raises(RoleNotHeldError):
        migrate_certificate(certificate=certificate, actor=actor, target_version=new, reason=REASON)

    assert page.status_code == 403
    assert reload(certificate).scheme_version == old


def test_a_scheme_manager_of_another_scheme_cannot_choose_the_version() -> None:
    old = make_published_version()
    holders(old, 1)
    new = successor(old)
    manager = make_staff(RoleCode.SCHEME_MANAGER, scheme=make_published_version().scheme)

    page = office_client(manager).post(reverse("certification:migration-create"), form(old, new))

    assert page.status_code == 422
    assert not BulkOperation.objects.exists()
