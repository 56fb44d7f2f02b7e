"""The office pages of the register: who sees what, and the forms drive the whole CAPA cycle."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff, office_client
from peritus.qms.models import ActionStatus, CorrectiveAction
from peritus.qms.tests.factories import in_days, planned_action, raised_action

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (RoleCode.QUALITY_MANAGER, 200),
        (RoleCode.INTERNAL_AUDITOR, 200),
        (RoleCode.TOP_MANAGEMENT, 200),
        (RoleCode.ASSESSOR, 200),
        (RoleCode.EXAMINER, 403),
        (RoleCode.DECISION_MAKER, 403),
    ],
)
def test_the_register_opens_to_those_who_oversee_quality(
    client: Client, role: RoleCode, status: int
) -> None:
    response = office_client(client, make_staff(role)).get(reverse("qms:corrective-action-list"))

    assert response.status_code == status


def test_an_action_page_is_404_to_staff_with_nothing_to_do_with_it(
    client: Client, quality_manager: User, examiner: User
) -> None:
    action = raised_action(quality_manager)

    response = office_client(client, examiner).get(
        reverse("qms:corrective-action-detail", args=[action.reference])
    )

    assert response.status_code == 404


def test_the_quality_manager_raises_an_action_from_an_audit_finding(
    client: Client, quality_manager: User, auditor: User
) -> None:
    response = office_client(client, quality_manager).post(
        reverse("qms:corrective-action-raise"),
        {
            "kind": "corrective", "source": "internal_audit", "source_label": "Audit 2026-1, F2",
            "title": "Item bank export unlogged", "description": "Exports leave no trace.",
            "owner": auditor.pk, "due_on": in_days(30).isoformat(),
        },
    )  # fmt: skip

    action = CorrectiveAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("qms:corrective-action-detail", args=[action.reference])
    assert action.source_label == "Audit 2026-1, F2"
    assert action.owner == auditor


def test_a_refused_raise_shows_the_reason_and_stores_nothing(
    client: Client, quality_manager: User
) -> None:
    response = office_client(client, quality_manager).post(
        reverse("qms:corrective-action-raise"),
        {
            "kind": "corrective", "source": "other", "title": "Something",
            "description": "Something went wrong.", "owner": quality_manager.pk,
            "due_on": in_days(30).isoformat(),
        },
    )  # fmt: skip

    assert response.status_code == 422
    assert "Say where this action comes from." in response.content.decode()
    assert not CorrectiveAction.objects.exists()


def test_an_examiner_cannot_open_the_raise_form(client: Client, examiner: User) -> None:
    response = office_client(client, examiner).get(reverse("qms:corrective-action-raise"))

    assert response.status_code == 403


def test_the_full_cycle_through_the_pages(
    client: Client, quality_manager: User, auditor: User
) -> None:
    action = raised_action(quality_manager)
    manager = office_client(client, quality_manager)

    manager.post(
        reverse("qms:corrective-action-root-cause", args=[action.reference]),
        {"root_cause": "No procedure for keys."},
    )
    manager.post(
        reverse("qms:corrective-action-step-add", args=[action.reference]),
        {"description": "Write it", "owner": quality_manager.pk, "due_on": in_days(9).isoformat()},
    )
    step = action.steps.get()
    manager.post(
        reverse("qms:corrective-action-step-complete", args=[action.reference, step.pk]),
        {"note": "Written and trained"},
    )
    refused = manager.post(
        reverse("qms:corrective-action-check", args=[action.reference]),
        {"effective": "yes", "evidence": "I looked at it myself"},
    )
    assert refused.status_code == 422
    assert "someone who implemented none of them" in refused.content.decode()

    checker = office_client(Client(), auditor)
    checker.post(
        reverse("qms:corrective-action-check", args=[action.reference]),
        {"effective": "yes", "evidence": "Spot checks passed"},
    )
    manager.post(
        reverse("qms:corrective-action-close", args=[action.reference]), {"summary": "Works."}
    )

    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED
    page = manager.get(reverse("qms:corrective-action-detail", args=[action.reference]))
    assert "Spot checks passed" in page.content.decode()


def test_a_step_owner_sees_their_to_do_list_and_records_it_done(
    client: Client, quality_manager: User, examiner: User
) -> None:
    action, step = planned_action(quality_manager, step_owner=examiner)
    owner = office_client(client, examiner)

    mine = owner.get(reverse("qms:corrective-action-mine"))
    done = owner.post(
        reverse("qms:corrective-action-step-complete", args=[action.reference, step.pk]),
        {"note": "Procedure drafted"},
    )

    assert mine.status_code == 200
    assert step.description in mine.content.decode()
    assert done.status_code == 302
    step.refresh_from_db()
    assert step.completed_by == examiner


def test_the_register_exports_as_csv(client: Client, quality_manager: User) -> None:
    action = raised_action(quality_manager)

    response = office_client(client, quality_manager).get(
        reverse("qms:corrective-action-export") + "?status=open"
    )

    assert response["Content-Type"].startswith("text/csv")
    assert action.reference in response.content.decode()


def test_the_csv_keeps_formulas_as_text(client: Client, quality_manager: User) -> None:
    raised_action(quality_manager, title='=HYPERLINK("http://evil.example")')

    response = office_client(client, quality_manager).get(reverse("qms:corrective-action-export"))

    assert "'=HYPERLINK" in response.content.decode()
