"""The office pages for decisions after issue (suspend, extend, reinstate, withdraw, reduce the
scope) and the holder's surrender page: who may open them, the confirmation step, the service's
refusals shown beside the form with nothing changed, and the history on the certificate page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    LifecycleAction,
    LifecycleDecision,
    Suspension,
)
from peritus.certification.services import suspend_certificate, withdraw_certificate
from peritus.impartiality.models import ConflictDeclaration
from peritus.impartiality.tests.factories import office_client
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_holder, make_valid_certificate, reload
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db

REASON = "Annual fee unpaid after two reminders."
CONDITIONS = "Pay the annual fee."


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def url(name: str, certificate: Certificate) -> str:
    return reverse(f"certification:{name}", kwargs={"number": certificate.number})


def suspended(certificate: Certificate, decider: User) -> Certificate:
    return suspend_certificate(
        certificate=certificate,
        actor=decider,
        reason=REASON,
        conditions=CONDITIONS,
        deadline=in_days(30),
    )


def confirm(client: Client, address: str, data: dict[str, Any]) -> Any:
    return client.post(address, {**data, "confirm": "1"})


SUSPEND = {"reason": REASON, "conditions": CONDITIONS, "deadline": in_days(60).isoformat()}


# Who may open the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "certificate-suspend",
        "certificate-extend-suspension",
        "certificate-reinstate",
        "certificate-withdraw",
        "certificate-reduce-scope",
    ],
)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (RoleCode.DECISION_MAKER, 200),
        (RoleCode.CERTIFICATION_OFFICER, 403),
        (RoleCode.EXAMINER, 404),
    ],
)
def test_only_decision_makers_open_the_decision_pages(
    name: str, role: RoleCode, status: int
) -> None:
    certificate = make_valid_certificate()

    response = office_client(make_staff(role)).get(url(name, certificate))

    assert response.status_code == status


def test_a_decision_maker_of_another_scheme_does_not_see_the_certificate() -> None:
    certificate = make_valid_certificate()
    other = make_valid_certificate(holder=make_holder("other@peritus.example"))
    decider = make_staff(RoleCode.DECISION_MAKER, scheme=other.scheme)

    response = office_client(decider).get(url("certificate-suspend", certificate))

    assert response.status_code == 404


def test_candidates_are_kept_out_of_the_office_pages(candidate: User) -> None:
    certificate = make_valid_certificate()
    client = Client()
    client.force_login(candidate)

    assert client.get(url("certificate-suspend", certificate)).status_code in (403, 404)
    assert reload(certificate).status == CertificateStatus.VALID


# Suspension -------------------------------------------------------------------------------------


def test_the_suspension_form_leads_to_a_confirmation_that_changes_nothing_yet(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate()

    page = office_client(decision_maker).post(url("certificate-suspend", certificate), SUSPEND)

    content = page.content.decode()
    assert page.status_code == 200
    assert "Confirm" in content
    assert CONDITIONS in content
    assert in_days(60).isoformat() in content
    assert reload(certificate).status == CertificateStatus.VALID
    assert not LifecycleDecision.objects.exists()


def test_a_confirmed_suspension_notifies_and_shows_at_once_on_the_public_page(
    decision_maker: User, client: Client
) -> None:
    certificate = make_valid_certificate()

    response = confirm(
        office_client(decision_maker), url("certificate-suspend", certificate), SUSPEND
    )

    assert response.status_code == 302
    assert response["Location"] == url("certificate-detail", certificate)
    stored = reload(certificate)
    assert (stored.status, stored.status_since) == (
        CertificateStatus.SUSPENDED,
        timezone.localdate(),
    )
    assert Suspension.objects.get(certificate=certificate).deadline == in_days(60)
    assert OutboxMessage.objects.filter(template="certification_certificate_suspended").exists()
    public = client.get(f"/verify/{certificate.number}/").content.decode()
    assert "Suspended" in public


def test_a_suspension_without_conditions_is_sent_back_with_a_message(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate()

    page = confirm(
        office_client(decision_maker),
        url("certificate-suspend", certificate),
        {**SUSPEND, "conditions": ""},
    )

    assert page.status_code == 422
    assert "This field is required" in page.content.decode()
    assert reload(certificate).status == CertificateStatus.VALID


def test_a_deadline_beyond_the_longest_suspension_is_refused_by_the_service(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate()

    page = confirm(
        office_client(decision_maker),
        url("certificate-suspend", certificate),
        {**SUSPEND, "deadline": in_days(400).isoformat()},
    )

    assert page.status_code == 422
    assert "A suspension may last at most 365 days." in page.content.decode()
    assert reload(certificate).status == CertificateStatus.VALID
    assert not OutboxMessage.objects.filter(template="certification_certificate_suspended").exists()


def test_a_decider_with_a_conflict_is_warned_and_refused(decision_maker: User) -> None:
    certificate = make_valid_certificate()
    ConflictDeclaration.objects.create(
        declarant=decision_maker,
        person=certificate.holder,
        has_conflict=True,
        nature="relative",
        details="My cousin.",
    )
    client = office_client(decision_maker)

    form = client.get(url("certificate-suspend", certificate)).content.decode()
    refused = confirm(client, url("certificate-suspend", certificate), SUSPEND)

    assert "You declared a conflict of interest with this candidate." in form
    assert refused.status_code == 403
    assert "You declared a conflict of interest with this candidate." in refused.content.decode()
    assert reload(certificate).status == CertificateStatus.VALID


def test_suspending_a_suspended_certificate_is_refused_with_the_reason(
    decision_maker: User,
) -> None:
    certificate = suspended(make_valid_certificate(), make_staff(RoleCode.DECISION_MAKER))

    page = confirm(office_client(decision_maker), url("certificate-suspend", certificate), SUSPEND)

    assert page.status_code == 409
    assert "The certificate is already suspended." in page.content.decode()
    assert Suspension.objects.filter(certificate=certificate).count() == 1


def test_change_the_details_goes_back_to_the_filled_form(decision_maker: User) -> None:
    certificate = make_valid_certificate()

    page = office_client(decision_maker).post(
        url("certificate-suspend", certificate), {**SUSPEND, "edit": "1"}
    )

    assert page.status_code == 200
    assert "Continue to the confirmation" in page.content.decode()
    assert CONDITIONS in page.content.decode()
    assert reload(certificate).status == CertificateStatus.VALID


# Extension, reinstatement, withdrawal -------------------------------------------------------------


def test_the_deadline_of_a_suspension_is_extended(decision_maker: User) -> None:
    certificate = suspended(make_valid_certificate(), make_staff(RoleCode.DECISION_MAKER))

    response = confirm(
        office_client(decision_maker),
        url("certificate-extend-suspension", certificate),
        {"deadline": in_days(90).isoformat(), "reason": "Payment plan agreed."},
    )

    assert response.status_code == 302
    assert Suspension.objects.get(certificate=certificate).deadline == in_days(90)


def test_an_earlier_deadline_is_refused_and_the_old_one_stays(decision_maker: User) -> None:
    certificate = suspended(make_valid_certificate(), make_staff(RoleCode.DECISION_MAKER))

    page = confirm(
        office_client(decision_maker),
        url("certificate-extend-suspension", certificate),
        {"deadline": in_days(10).isoformat(), "reason": "Mistake."},
    )

    assert page.status_code == 422
    assert "The new deadline must be later than the current one." in page.content.decode()
    assert Suspension.objects.get(certificate=certificate).deadline == in_days(30)


def test_a_suspended_certificate_is_reinstated(decision_maker: User, client: Client) -> None:
    certificate = suspended(make_valid_certificate(), make_staff(RoleCode.DECISION_MAKER))

    response = confirm(
        office_client(decision_maker),
        url("certificate-reinstate", certificate),
        {"rationale": "Fee received on the 3rd."},
    )

    assert response.status_code == 302
    assert reload(certificate).status == CertificateStatus.VALID
    assert "Valid" in client.get(f"/verify/{certificate.number}/").content.decode()


def test_reinstating_a_valid_certificate_is_refused(decision_maker: User) -> None:
    certificate = make_valid_certificate()

    page = confirm(
        office_client(decision_maker),
        url("certificate-reinstate", certificate),
        {"rationale": "No reason."},
    )

    assert page.status_code == 409
    assert "Only a suspended certificate is reinstated." in page.content.decode()
    assert not LifecycleDecision.objects.exists()


def test_the_withdrawal_confirmation_says_the_holder_must_stop_using_it(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate()
    client = office_client(decision_maker)

    preview = client.post(url("certificate-withdraw", certificate), {"reason": "Fraud proven."})
    response = confirm(
        client, url("certificate-withdraw", certificate), {"reason": "Fraud proven."}
    )

    assert "stop using the certificate and the marks" in preview.content.decode()
    assert response.status_code == 302
    assert reload(certificate).status == CertificateStatus.WITHDRAWN
    notice = OutboxMessage.objects.get(template="certification_certificate_withdrawn")
    assert LifecycleDecision.objects.get(action=LifecycleAction.WITHDRAW).notice == notice


def test_nothing_changes_a_withdrawn_certificate(decision_maker: User) -> None:
    certificate = make_valid_certificate()
    withdraw_certificate(
        certificate=certificate, actor=make_staff(RoleCode.DECISION_MAKER), reason="Fraud."
    )

    page = confirm(
        office_client(decision_maker), url("certificate-withdraw", certificate), {"reason": "x"}
    )

    assert page.status_code == 409
    assert "The certificate is withdrawn: nothing can change it." in page.content.decode()
    assert LifecycleDecision.objects.count() == 1


# Scope reduction --------------------------------------------------------------------------------


def test_a_scope_item_is_removed_and_the_certificate_reissued(decision_maker: User) -> None:
    certificate = make_valid_certificate()
    first, second = certificate.scope_items.order_by("position", "code")

    response = confirm(
        office_client(decision_maker),
        url("certificate-reduce-scope", certificate),
        {"removed": [second.pk], "reason": "Level 2 practice not evidenced."},
    )

    assert response.status_code == 302
    stored = reload(certificate)
    assert stored.revision == 2
    assert list(stored.scope_items.all()) == [first]


def test_removing_every_scope_item_is_refused_with_the_service_message(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate()
    items = [item.pk for item in certificate.scope_items.all()]

    page = confirm(
        office_client(decision_maker),
        url("certificate-reduce-scope", certificate),
        {"removed": items, "reason": "All of it."},
    )

    assert page.status_code == 422
    assert "Keep at least one scope item" in page.content.decode()
    assert reload(certificate).revision == 1


def test_removing_nothing_is_a_form_error(decision_maker: User) -> None:
    certificate = make_valid_certificate()

    page = office_client(decision_maker).post(
        url("certificate-reduce-scope", certificate), {"reason": "Nothing."}
    )

    assert page.status_code == 422
    assert "Choose at least one scope item to remove." in page.content.decode()


# The certificate page ---------------------------------------------------------------------------


def test_the_certificate_page_shows_the_decisions_and_the_actions_the_status_allows(
    decision_maker: User,
) -> None:
    certificate = suspended(make_valid_certificate(), make_staff(RoleCode.DECISION_MAKER))

    page = office_client(decision_maker).get(url("certificate-detail", certificate))

    content = page.content.decode()
    decision = LifecycleDecision.objects.get(certificate=certificate)
    assert decision.reference in content
    assert CONDITIONS in content
    assert url("certificate-reinstate", certificate) in content
    assert url("certificate-withdraw", certificate) in content
    assert url("certificate-suspend", certificate) not in content
    assert 'id="history-heading-record"' in content


def test_an_officer_sees_the_history_but_no_decision_actions(officer: User) -> None:
    certificate = suspended(make_valid_certificate(), make_staff(RoleCode.DECISION_MAKER))

    content = office_client(officer).get(url("certificate-detail", certificate)).content.decode()

    assert LifecycleDecision.objects.get(certificate=certificate).reference in content
    assert url("certificate-reinstate", certificate) not in content


# Surrender by the holder --------------------------------------------------------------------------


def holder_client(certificate: Certificate) -> Client:
    client = Client()
    user = certificate.holder.user
    assert user is not None
    client.force_login(user)
    return client


def test_the_holder_surrenders_after_confirming(client: Client) -> None:
    certificate = make_valid_certificate()
    holder = holder_client(certificate)
    address = url("portal-certificate-surrender", certificate)

    detail = holder.get(url("portal-certificate-detail", certificate)).content.decode()
    preview = holder.post(address, {"reason": "", "understood": "on"})
    response = confirm(holder, address, {"reason": "", "understood": "True"})

    assert address in detail
    assert preview.status_code == 200
    assert response.status_code == 302
    assert reload(certificate).status == CertificateStatus.WITHDRAWN
    decision = LifecycleDecision.objects.get(certificate=certificate)
    assert decision.action == LifecycleAction.SURRENDER
    assert "Withdrawn" in client.get(f"/verify/{certificate.number}/").content.decode()


def test_the_holder_must_tick_that_they_understand(client: Client) -> None:
    certificate = make_valid_certificate()

    page = confirm(
        holder_client(certificate),
        url("portal-certificate-surrender", certificate),
        {"reason": "Retired."},
    )

    assert page.status_code == 422
    assert "Tick the box to confirm that you understand." in page.content.decode()
    assert reload(certificate).status == CertificateStatus.VALID


def test_nobody_else_can_surrender_a_certificate(candidate: User) -> None:
    certificate = make_valid_certificate()
    client = Client()
    client.force_login(candidate)

    response = confirm(
        client,
        url("portal-certificate-surrender", certificate),
        {"reason": "", "understood": "on"},
    )

    assert response.status_code == 404
    assert reload(certificate).status == CertificateStatus.VALID


def test_a_withdrawn_certificate_cannot_be_surrendered() -> None:
    certificate = make_valid_certificate()
    withdraw_certificate(
        certificate=certificate, actor=make_staff(RoleCode.DECISION_MAKER), reason="Fraud."
    )
    holder = holder_client(certificate)

    detail = holder.get(url("portal-certificate-detail", certificate)).content.decode()
    page = confirm(holder, url("portal-certificate-surrender", certificate), {"understood": "on"})

    assert url("portal-certificate-surrender", certificate) not in detail
    assert page.status_code == 409
    assert "The certificate is withdrawn: nothing can change it." in page.content.decode()
    assert LifecycleDecision.objects.count() == 1


# Open suspensions -------------------------------------------------------------------------------


def test_decision_makers_see_open_suspensions_with_proposals_first(decision_maker: User) -> None:
    running = suspended(make_valid_certificate(), decision_maker)
    overdue = suspended(
        make_valid_certificate(holder=make_holder("late@peritus.example")), decision_maker
    )
    Suspension.objects.filter(certificate=overdue).update(proposed_at=timezone.now())

    page = office_client(decision_maker).get(reverse("certification:suspension-list"))

    content = page.content.decode()
    assert page.status_code == 200
    proposed, rest = content.split('id="running-heading"', 1)
    assert overdue.number in proposed
    assert running.number not in proposed
    assert running.number in rest


def test_open_suspensions_are_for_decision_makers_of_the_scheme(officer: User) -> None:
    certificate = suspended(make_valid_certificate(), make_staff(RoleCode.DECISION_MAKER))
    other = make_staff(
        RoleCode.DECISION_MAKER,
        scheme=make_valid_certificate(holder=make_holder("o@peritus.example")).scheme,
    )

    denied = office_client(officer).get(reverse("certification:suspension-list"))
    elsewhere = office_client(other).get(reverse("certification:suspension-list"))

    assert denied.status_code == 403
    assert elsewhere.status_code == 200
    assert certificate.number not in elsewhere.content.decode()


def test_a_certificate_with_one_scope_item_offers_no_reduction(decision_maker: User) -> None:
    version = make_published_version()
    certificate = make_valid_certificate(
        version=version, scope=[version.scope_items.get(code="L1")]
    )

    content = office_client(decision_maker).get(url("certificate-detail", certificate))

    assert url("certificate-withdraw", certificate) in content.content.decode()
    assert url("certificate-reduce-scope", certificate) not in content.content.decode()
