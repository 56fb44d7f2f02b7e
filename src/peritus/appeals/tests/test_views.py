from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role, make_staff, office_client
from peritus.appeals.models import (
    Appeal,
    AppealOutcome,
    AppealStatus,
    AppealSubject,
    PanelMembership,
)
from peritus.appeals.selectors import register_statistics
from peritus.appeals.services import lodge_appeal, request_new_decision
from peritus.appeals.tests.factories import GROUNDS, RefusedFile, decided, lodged, under_review
from peritus.certification.models import Certificate, CertificateStatus
from peritus.certification.services import suspend_certificate
from peritus.recertification.tests.factories import make_valid_certificate

pytestmark = pytest.mark.django_db


def portal_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_candidate_appeals_from_the_portal_and_follows_it(
    candidate: User, refused: RefusedFile
) -> None:
    client = portal_client(candidate)
    form = client.get(reverse("appeals:portal-appeal-new"))
    assert form.status_code == 200
    assert refused.decision.reference in form.content.decode()

    response = client.post(
        reverse("appeals:portal-appeal-new"),
        {
            "record": f"certification_decision:{refused.decision.reference}",
            "grounds": GROUNDS,
            "remedy_sought": "Re-mark the paper.",
        },
    )

    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:portal-appeal-detail", args=[appeal.reference])
    page = client.get(response["Location"]).content.decode()
    assert appeal.reference in page
    assert GROUNDS in page
    listing = client.get(reverse("appeals:portal-appeals")).content.decode()
    assert appeal.reference in listing


def test_an_appeal_without_grounds_is_refused_on_the_form(
    candidate: User, refused: RefusedFile
) -> None:
    response = portal_client(candidate).post(
        reverse("appeals:portal-appeal-new"),
        {"record": f"certification_decision:{refused.decision.reference}", "grounds": ""},
    )

    assert response.status_code == 422
    assert not Appeal.objects.exists()


def test_another_candidate_cannot_see_or_withdraw_my_appeal(
    candidate: User, outsider: User, refused: RefusedFile
) -> None:
    appeal = lodged(candidate, refused.decision)
    client = portal_client(outsider)

    assert (
        client.get(reverse("appeals:portal-appeal-detail", args=[appeal.reference])).status_code
        == 404
    )
    assert (
        client.post(reverse("appeals:portal-appeal-withdraw", args=[appeal.reference])).status_code
        == 404
    )
    assert appeal.reference not in client.get(reverse("appeals:portal-appeals")).content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RECEIVED


def test_the_appellant_withdraws_from_the_portal(candidate: User, refused: RefusedFile) -> None:
    appeal = lodged(candidate, refused.decision)

    portal_client(candidate).post(
        reverse("appeals:portal-appeal-withdraw", args=[appeal.reference]),
        {"withdraw-reason": "Resolved by phone."},
    )

    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.WITHDRAWN


@pytest.mark.parametrize(
    ("role", "register", "detail"),
    [
        (RoleCode.APPEALS_PANEL, 200, 200),
        (RoleCode.QUALITY_MANAGER, 200, 200),
        (RoleCode.EXAMINER, 403, 404),
        (RoleCode.CERTIFICATION_OFFICER, 403, 404),
    ],
)
def test_the_register_and_case_pages_are_for_appeals_staff(
    client: Client,
    candidate: User,
    refused: RefusedFile,
    role: RoleCode,
    register: int,
    detail: int,
) -> None:
    appeal = lodged(candidate, refused.decision)
    office_client(client, make_staff(role))

    assert client.get(reverse("appeals:appeal-list")).status_code == register
    assert (
        client.get(reverse("appeals:appeal-detail", args=[appeal.reference])).status_code == detail
    )


def test_the_register_shows_outcomes_and_filters_without_the_grounds(
    client: Client, candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = lodged(candidate, refused.decision)
    office_client(client, panel_member)

    page = client.get(reverse("appeals:appeal-list")).content.decode()
    assert appeal.reference in page
    assert GROUNDS not in page
    decided_only = client.get(reverse("appeals:appeal-list"), {"status": "decided"})
    assert appeal.reference not in decided_only.content.decode()
    received = client.get(reverse("appeals:appeal-list"), {"status": "received"})
    assert appeal.reference in received.content.decode()


def test_the_case_page_shows_the_history_and_the_panel_decides_there(
    client: Client, candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = under_review(lodged(candidate, refused.decision), panel_member)
    office_client(client, panel_member)
    url = reverse("appeals:appeal-detail", args=[appeal.reference])
    page = client.get(url).content.decode()
    assert 'id="decide-heading"' in page
    assert "An appeal was received" in page  # the audit history panel

    response = client.post(
        reverse("appeals:appeal-step", args=[appeal.reference, "decide"]),
        {"decide-outcome": AppealOutcome.DISMISSED, "decide-reasons": "The marking was right."},
    )

    assert response.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).outcome == AppealOutcome.DISMISSED


def test_the_page_refuses_an_involved_panel_member_with_the_reason(
    client: Client, candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = under_review(lodged(candidate, refused.decision), panel_member)
    grant_role(refused.decision_maker, RoleCode.APPEALS_PANEL)
    office_client(client, panel_member)

    response = client.post(
        reverse("appeals:appeal-step", args=[appeal.reference, "assign"]),
        {"assign-member": refused.decision_maker.pk},
    )

    assert response.status_code == 403
    assert "made a decision about the appellant" in response.content.decode()
    assert not PanelMembership.objects.filter(member=refused.decision_maker).exists()


def test_staff_record_an_appeal_from_a_letter(
    client: Client, refused: RefusedFile, panel_member: User
) -> None:
    office_client(client, panel_member)

    response = client.post(
        reverse("appeals:appeal-record"),
        {
            "appellant_email": "candidate@peritus.example",
            "subject_kind": "certification_decision",
            "subject_key": refused.decision.reference,
            "channel": "letter",
            "received_on": "2020-01-01",
            "grounds": GROUNDS,
        },
    )

    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert appeal.channel == "letter"
    assert appeal.appellant == refused.person


def test_the_appellant_reads_the_outcome_and_reasons_on_the_portal(
    candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    appeal = decided(lodged(candidate, refused.decision), panel_member, AppealOutcome.PARTLY_UPHELD)

    page = portal_client(candidate).get(
        reverse("appeals:portal-appeal-detail", args=[appeal.reference])
    )

    content = page.content.decode()
    assert "Partly upheld" in content
    assert appeal.outcome_reasons in content


def test_the_decision_maker_asked_to_reinstate_does_it_from_the_case_page(
    client: Client, decision_maker: User, panel_member: User
) -> None:
    certificate = make_valid_certificate()
    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason="Statement of continued practice missing.",
        conditions="Send the statement.",
        deadline=min(timezone.localdate() + dt.timedelta(days=30), certificate.expires_on),
    )
    holder = certificate.holder.user
    assert holder is not None
    appeal = lodge_appeal(
        actor=holder,
        subject_kind=AppealSubject.CERTIFICATE_STATUS,
        subject_key=certificate.number,
        grounds=GROUNDS,
    )
    decided(appeal, panel_member, AppealOutcome.UPHELD)
    fresh = make_staff(RoleCode.DECISION_MAKER)
    action = request_new_decision(
        actor=panel_member, appeal=appeal, decision_maker=fresh, description="Reinstate."
    )
    office_client(client, fresh)
    assert client.get(reverse("appeals:appeal-detail", args=[appeal.reference])).status_code == 200
    assert client.get(reverse("appeals:appeal-list")).status_code == 403

    response = client.post(
        reverse("appeals:action-done", args=[appeal.reference, action.pk]),
        {"done-note": "The statement was sent on time.", "reinstate": "1"},
    )

    assert response.status_code == 302
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID


def test_the_menus_show_appeals_to_whom_they_concern(
    client: Client, candidate: User, panel_member: User, examiner: User
) -> None:
    assert (
        reverse("appeals:portal-appeals")
        in portal_client(candidate).get("/portal/").content.decode()
    )
    office_client(client, panel_member)
    assert reverse("appeals:appeal-list") in client.get("/office/").content.decode()
    office_client(client, examiner)
    assert reverse("appeals:appeal-list") not in client.get("/office/").content.decode()


def test_the_register_counts_outcomes_and_late_decisions(
    client: Client, candidate: User, refused: RefusedFile, panel_member: User
) -> None:
    decided(lodged(candidate, refused.decision), panel_member, AppealOutcome.DISMISSED)

    statistics = register_statistics()

    assert dict(statistics.by_outcome)["Dismissed"] == 1
    assert (statistics.decided, statistics.decided_late, statistics.mean_days_to_decision) == (
        1,
        0,
        0.0,
    )
    office_client(client, panel_member)
    assert (
        "1 decided, 0 after their deadline."
        in client.get(reverse("appeals:appeal-list")).content.decode()
    )


def test_recording_an_appeal_for_an_unknown_address_is_refused_on_the_form(
    client: Client, panel_member: User
) -> None:
    office_client(client, panel_member)

    response = client.post(
        reverse("appeals:appeal-record"),
        {
            "appellant_email": "nobody@peritus.example",
            "subject_kind": "other",
            "channel": "email",
            "received_on": "2020-01-01",
            "grounds": GROUNDS,
        },
    )

    assert response.status_code == 422
    assert "No person has this email address." in response.content.decode()
    assert not Appeal.objects.exists()
