"""Bulk operations on a list of certificates (suspend, withdraw): prepare from a pasted or uploaded
list, preview who is affected and who would be refused, confirm, and every certificate goes
through the ordinary service; bad input changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
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
    BulkOperationKind,
    BulkOperationStatus,
    Certificate,
    CertificateStatus,
    ExpiryReminder,
    LifecycleDecision,
)
from peritus.certification.services import suspend_certificate, withdraw_certificate
from peritus.certification.services.bulk import (
    cancel_bulk_operation,
    confirm_bulk_operation,
    prepare_bulk_operation,
)
from peritus.impartiality.models import ConflictDeclaration
from peritus.impartiality.tests.factories import office_client
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_holder, make_valid_certificate, reload
from peritus.schemes.models import SchemeVersion
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db

REASON = "Annual fee unpaid after two reminders and a review of each account."
CONDITIONS = "Pay the annual fee."


@pytest.fixture
def scheme_manager(db: None) -> User:
    return make_staff(RoleCode.SCHEME_MANAGER, email="schemes@peritus.example")


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def three_certificates(version: SchemeVersion | None = None) -> list[Certificate]:
    version = version or make_published_version()
    return [
        make_valid_certificate(holder=make_holder(f"holder{n}@peritus.example"), version=version)
        for n in range(3)
    ]


def suspension_form(numbers: str, **more: Any) -> dict[str, Any]:
    return {
        "kind": "suspend",
        "numbers": numbers,
        "reason": REASON,
        "conditions": CONDITIONS,
        "deadline": in_days(30).isoformat(),
        **more,
    }


def prepare(actor: User, certificates: list[Certificate], kind: str = "suspend") -> BulkOperation:
    return prepare_bulk_operation(
        actor=actor,
        kind=kind,
        numbers="\n".join(certificate.number for certificate in certificates),
        reason=REASON,
        conditions=CONDITIONS if kind == "suspend" else "",
        deadline=in_days(30) if kind == "suspend" else None,
    )


# Preparing and the preview ----------------------------------------------------------------------


def test_the_preview_shows_who_is_affected_and_who_would_be_refused_and_changes_nothing(
    decision_maker: User,
) -> None:
    first, second, third = three_certificates()
    suspend_certificate(
        certificate=third,
        actor=make_staff(RoleCode.DECISION_MAKER),
        reason="Earlier.",
        conditions="Earlier.",
        deadline=in_days(20),
    )
    client = office_client(decision_maker)

    response = client.post(
        reverse("certification:bulk-create"),
        suspension_form(f"{first.number}\n{second.number}, {third.number}"),
    )

    operation = BulkOperation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("certification:bulk-detail", args=[operation.reference])
    page = client.get(response["Location"]).content.decode()
    assert "Preview: nothing has been done yet" in page
    assert "3 certificates are listed; 1 would be refused." in page
    assert "The certificate is already suspended." in page
    assert operation.status == BulkOperationStatus.PREVIEWED
    assert [reload(c).status for c in (first, second)] == [CertificateStatus.VALID] * 2
    assert LifecycleDecision.objects.count() == 1
    assert AuditEvent.objects.filter(
        event_type=CertificationEvent.BULK_OPERATION_PREVIEWED
    ).exists()


def test_a_list_can_be_uploaded_as_a_file(decision_maker: User) -> None:
    first, second, _third = three_certificates()
    upload = SimpleUploadedFile(
        "unpaid.csv", f"number,name\n{first.number},A\n{second.number},B\n".encode()
    )

    response = office_client(decision_maker).post(
        reverse("certification:bulk-create"), {**suspension_form(""), "upload": upload}
    )

    assert response.status_code == 302
    items = BulkOperationItem.objects.order_by("position")
    assert [item.certificate for item in items] == [first, second]


def test_an_unknown_number_refuses_the_whole_list_and_names_it(decision_maker: User) -> None:
    (first, *_rest) = three_certificates()

    page = office_client(decision_maker).post(
        reverse("certification:bulk-create"), suspension_form(f"{first.number}\nXX-9999999-Z")
    )

    assert page.status_code == 422
    assert "XX-9999999-Z" in page.content.decode()
    assert not BulkOperation.objects.exists()


def test_an_empty_list_is_a_form_error(decision_maker: User) -> None:
    page = office_client(decision_maker).post(
        reverse("certification:bulk-create"), suspension_form("  \n ")
    )

    assert page.status_code == 422
    assert "Paste the certificate numbers or upload a file." in page.content.decode()
    assert not BulkOperation.objects.exists()


def test_a_suspension_list_needs_conditions_and_a_deadline(decision_maker: User) -> None:
    (first, *_rest) = three_certificates()

    page = office_client(decision_maker).post(
        reverse("certification:bulk-create"), suspension_form(first.number, conditions="")
    )

    assert page.status_code == 422
    assert "Say what the holders must do to be reinstated." in page.content.decode()
    assert not BulkOperation.objects.exists()


def test_a_decision_maker_of_one_scheme_cannot_list_certificates_of_another() -> None:
    mine = three_certificates()[0]
    other = make_valid_certificate(holder=make_holder("elsewhere@peritus.example"))
    decider = make_staff(RoleCode.DECISION_MAKER, scheme=mine.scheme)

    with pytest.raises(CertificationInputError) as error:
        prepare(decider, [mine, other])

    assert error.value.code == "unknown_numbers"
    assert other.number in error.value.message
    assert not BulkOperation.objects.exists()


# Confirming -------------------------------------------------------------------------------------


def test_confirming_runs_each_certificate_through_the_suspension_service(
    decision_maker: User, client: Client
) -> None:
    certificates = three_certificates()
    operation = prepare(decision_maker, certificates)
    staff = office_client(decision_maker)

    response = staff.post(
        reverse("certification:bulk-confirm", args=[operation.reference]), {"reviewed": "on"}
    )

    assert response.status_code == 302
    assert [reload(c).status for c in certificates] == [CertificateStatus.SUSPENDED] * 3
    decisions = LifecycleDecision.objects.filter(bulk_operation=operation)
    assert decisions.count() == 3
    assert OutboxMessage.objects.filter(template="certification_certificate_suspended").count() == 3
    stored = BulkOperation.objects.get(pk=operation.pk)
    assert (stored.status, stored.confirmed_by) == (BulkOperationStatus.EXECUTED, decision_maker)
    assert "Suspended" in client.get(f"/verify/{certificates[0].number}/").content.decode()
    result = staff.get(response["Location"]).content.decode()
    assert "3 done, 0 refused, of 3." in result


def test_confirming_needs_the_reviewed_box_and_changes_nothing_without_it(
    decision_maker: User,
) -> None:
    certificates = three_certificates()
    operation = prepare(decision_maker, certificates)

    page = office_client(decision_maker).post(
        reverse("certification:bulk-confirm", args=[operation.reference])
    )

    assert page.status_code == 422
    assert "Tick the box to confirm that you reviewed the list." in page.content.decode()
    assert [reload(c).status for c in certificates] == [CertificateStatus.VALID] * 3


def test_what_the_service_refuses_at_confirmation_is_reported_and_left_unchanged(
    decision_maker: User,
) -> None:
    first, second, third = three_certificates()
    operation = prepare(decision_maker, [first, second, third])
    ConflictDeclaration.objects.create(
        declarant=decision_maker,
        person=second.holder,
        has_conflict=True,
        nature="relative",
        details="My brother.",
    )

    confirm_bulk_operation(operation=operation, actor=decision_maker)

    outcomes = {
        item.certificate_id: (item.outcome, item.code)
        for item in BulkOperationItem.objects.filter(operation=operation)
    }
    assert outcomes[first.pk] == (BulkItemOutcome.DONE, "")
    assert outcomes[second.pk] == (BulkItemOutcome.REFUSED, "decider_declared_conflict")
    assert outcomes[third.pk] == (BulkItemOutcome.DONE, "")
    assert reload(second).status == CertificateStatus.VALID
    executed = AuditEvent.objects.get(event_type=CertificationEvent.BULK_OPERATION_EXECUTED)
    assert (executed.data["done"], executed.data["refused"]) == (2, 1)


def test_a_list_of_withdrawals_withdraws_each_certificate(decision_maker: User) -> None:
    certificates = three_certificates()[:2]
    operation = prepare(decision_maker, certificates, kind="withdraw")

    confirm_bulk_operation(operation=operation, actor=decision_maker)

    assert [reload(c).status for c in certificates] == [CertificateStatus.WITHDRAWN] * 2
    assert OutboxMessage.objects.filter(template="certification_certificate_withdrawn").count() == 2


def test_an_operation_runs_once(decision_maker: User) -> None:
    operation = prepare(decision_maker, three_certificates()[:1])
    confirm_bulk_operation(operation=operation, actor=decision_maker)

    page = office_client(decision_maker).post(
        reverse("certification:bulk-confirm", args=[operation.reference]), {"reviewed": "on"}
    )

    assert page.status_code == 409
    assert "This operation is executed; prepare a new one." in page.content.decode()
    assert LifecycleDecision.objects.count() == 1


def test_a_cancelled_operation_changes_nothing_and_cannot_be_confirmed(
    decision_maker: User,
) -> None:
    certificates = three_certificates()
    operation = prepare(decision_maker, certificates)
    client = office_client(decision_maker)

    cancelled = client.post(reverse("certification:bulk-cancel", args=[operation.reference]))
    with pytest.raises(CertificationError) as error:
        confirm_bulk_operation(operation=operation, actor=decision_maker)

    assert cancelled.status_code == 302
    assert BulkOperation.objects.get(pk=operation.pk).status == BulkOperationStatus.CANCELLED
    assert error.value.code == "operation_not_open"
    assert [reload(c).status for c in certificates] == [CertificateStatus.VALID] * 3
    with pytest.raises(CertificationError):
        cancel_bulk_operation(operation=operation, actor=decision_maker)


# Who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (RoleCode.DECISION_MAKER, 200),
        (RoleCode.SCHEME_MANAGER, 200),
        (RoleCode.CERTIFICATION_OFFICER, 200),
        (RoleCode.EXAMINER, 403),
        (RoleCode.ITEM_AUTHOR, 403),
    ],
)
def test_the_list_of_operations_opens_to_the_roles_that_run_them(
    role: RoleCode, status: int
) -> None:
    response = office_client(make_staff(role)).get(reverse("certification:bulk-list"))

    assert response.status_code == status


def test_a_scheme_manager_prepares_no_list_operation(scheme_manager: User) -> None:
    (first, *_rest) = three_certificates()
    client = office_client(scheme_manager)

    assert client.get(reverse("certification:bulk-create")).status_code == 403
    response = client.post(reverse("certification:bulk-create"), suspension_form(first.number))
    assert response.status_code == 403
    assert not BulkOperation.objects.exists()


def test_an_officer_may_send_reminders_but_not_suspend(officer: User) -> None:
    (first, *_rest) = three_certificates()
    client = office_client(officer)

    page = client.post(reverse("certification:bulk-create"), suspension_form(first.number))
    with pytest.raises(RoleNotHeldError):
        prepare(officer, [first])

    assert page.status_code == 422
    assert "Select a valid choice" in page.content.decode()
    assert not BulkOperation.objects.exists()
    assert reload(first).status == CertificateStatus.VALID


# Reminders now ----------------------------------------------------------------------------------


def test_an_officer_sends_expiry_reminders_now_to_a_list(officer: User) -> None:
    first, second, third = three_certificates()
    withdraw_certificate(
        certificate=third, actor=make_staff(RoleCode.DECISION_MAKER), reason="Fraud."
    )
    client = office_client(officer)

    prepared = client.post(
        reverse("certification:bulk-create"),
        {"kind": "send_reminders", "numbers": f"{first.number} {second.number} {third.number}"},
    )
    operation = BulkOperation.objects.get()
    preview = client.get(prepared["Location"]).content.decode()
    client.post(
        reverse("certification:bulk-confirm", args=[operation.reference]), {"reviewed": "on"}
    )

    assert "The certificate is withdrawn: nothing can change it." in preview
    reminders = ExpiryReminder.objects.filter(manual=True, sent_by=officer)
    assert {reminder.certificate_id for reminder in reminders} == {first.pk, second.pk}
    assert OutboxMessage.objects.filter(template="certification_expiry_reminder").count() == 2
    refused = BulkOperationItem.objects.get(certificate=third)
    assert (refused.outcome, refused.code) == (BulkItemOutcome.REFUSED, "certificate_withdrawn")


def test_someone_of_another_scheme_neither_sees_nor_confirms_an_operation(
    decision_maker: User,
) -> None:
    certificates = three_certificates()
    operation = prepare(decision_maker, certificates)
    other = make_staff(RoleCode.DECISION_MAKER, scheme=make_published_version().scheme)
    client = office_client(other)

    assert (
        client.get(reverse("certification:bulk-detail", args=[operation.reference])).status_code
        == 404
    )
    response = client.post(
        reverse("certification:bulk-confirm", args=[operation.reference]), {"reviewed": "on"}
    )
    assert response.status_code == 404
    assert [reload(c).status for c in certificates] == [CertificateStatus.VALID] * 3


def test_the_operation_kind_must_be_one_the_service_knows(decision_maker: User) -> None:
    with pytest.raises(CertificationInputError) as error:
        prepare_bulk_operation(
            actor=decision_maker,
            kind=BulkOperationKind.MIGRATE,
            numbers="x",
            reason=REASON,
        )

    assert error.value.code == "kind_unknown"


def test_the_office_menu_leads_decision_makers_to_suspensions_and_bulk_operations(
    decision_maker: User, officer: User
) -> None:
    deciders = office_client(decision_maker).get(reverse("certification:certificate-list"))
    officers = office_client(officer).get(reverse("certification:certificate-list"))

    assert reverse("certification:suspension-list") in deciders.content.decode()
    assert reverse("certification:bulk-list") in deciders.content.decode()
    assert reverse("certification:suspension-list") not in officers.content.decode()
    assert reverse("certification:bulk-list") in officers.content.decode()
