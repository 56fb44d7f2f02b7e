"""The retaliation flag pages: who sees them, and the review form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role, make_staff, office_client
from peritus.compliance.models import FlagStatus, RetaliationFlag
from peritus.compliance.tests.factories import complained_then_refused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (RoleCode.QUALITY_MANAGER, 200),
        (RoleCode.TOP_MANAGEMENT, 200),
        (RoleCode.EXAMINER, 403),
        (RoleCode.DECISION_MAKER, 403),
    ],
)
def test_the_list_opens_to_quality_managers_and_top_management(
    client: Client, role: RoleCode, status: int
) -> None:
    response = office_client(client, make_staff(role)).get(reverse("compliance:retaliation-list"))

    assert response.status_code == status


def test_a_flag_is_listed_and_its_page_is_404_to_other_staff(
    client: Client, candidate: User, quality_manager: User, examiner: User
) -> None:
    flag = complained_then_refused(candidate)

    listing = office_client(client, quality_manager).get(reverse("compliance:retaliation-list"))
    hidden = office_client(Client(), examiner).get(
        reverse("compliance:retaliation-detail", args=[flag.reference])
    )

    assert flag.reference in listing.content.decode()
    assert hidden.status_code == 404


def test_the_quality_manager_records_the_conclusion_on_the_page(
    client: Client, candidate: User, quality_manager: User
) -> None:
    flag = complained_then_refused(candidate)
    browser = office_client(client, quality_manager)
    url = reverse("compliance:retaliation-detail", args=[flag.reference])

    page = browser.get(url)
    response = browser.post(
        reverse("compliance:retaliation-review", args=[flag.reference]),
        {"conclusion": "no_concern", "reasons": "The exam was failed before the complaint."},
    )

    assert "Record the conclusion" in page.content.decode()
    assert response.status_code == 302
    assert RetaliationFlag.objects.get(pk=flag.pk).status == FlagStatus.REVIEWED
    assert "The exam was failed before the complaint." in browser.get(url).content.decode()


def test_top_management_sees_the_flag_but_may_not_review_it(
    client: Client, candidate: User
) -> None:
    flag = complained_then_refused(candidate)
    browser = office_client(client, make_staff(RoleCode.TOP_MANAGEMENT))

    page = browser.get(reverse("compliance:retaliation-detail", args=[flag.reference]))
    response = browser.post(
        reverse("compliance:retaliation-review", args=[flag.reference]),
        {"conclusion": "no_concern", "reasons": "Fine."},
    )

    assert page.status_code == 200
    assert "Record the conclusion" not in page.content.decode()
    assert response.status_code == 403


def test_the_decision_maker_is_refused_the_review_of_their_own_decision(
    client: Client, candidate: User
) -> None:
    flag = complained_then_refused(candidate)
    assert flag.decided_by is not None
    grant_role(flag.decided_by, RoleCode.QUALITY_MANAGER)
    browser = office_client(client, flag.decided_by)

    page = browser.get(reverse("compliance:retaliation-detail", args=[flag.reference]))
    response = browser.post(
        reverse("compliance:retaliation-review", args=[flag.reference]),
        {"conclusion": "no_concern", "reasons": "Fine."},
    )

    assert "You took part in this decision" in page.content.decode()
    assert response.status_code == 403
    assert RetaliationFlag.objects.get(pk=flag.pk).status == FlagStatus.OPEN
