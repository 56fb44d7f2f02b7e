"""The office pages: who sees what (permission matrix), and the forms call the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.impartiality.models import (
    ConflictDeclaration,
    ConflictMitigation,
    ImpartialityRisk,
    MitigationStatus,
    RiskStatus,
    TrainingRecord,
)
from peritus.impartiality.services import declare_interests, propose_mitigation, record_risk
from peritus.impartiality.tests.factories import office_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflict(examiner: User, candidate_person: Person) -> ConflictDeclaration:
    return declare_interests(
        actor=examiner, person=candidate_person, has_conflict=True, nature="employer",
        context_label="Practical exam, 3 March",
    )  # fmt: skip


@pytest.fixture
def risk(quality_manager: User) -> ImpartialityRisk:
    return record_risk(
        actor=quality_manager, threat="Trainers examine", source="training", likelihood=2,
        impact=4, owner=quality_manager, review_due_on=timezone.localdate(),
    )  # fmt: skip


LISTS = [
    "impartiality:declaration-register",
    "impartiality:training-list",
    "impartiality:risk-list",
]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (RoleCode.QUALITY_MANAGER, {200}),
        (RoleCode.IMPARTIALITY_COMMITTEE, {200}),
        (RoleCode.ASSESSOR, {200}),
        (RoleCode.EXAMINER, {403}),
        (RoleCode.DECISION_MAKER, {403}),
    ],
)
def test_the_registers_open_only_to_those_who_watch_over_impartiality(
    role: RoleCode, expected: set[int]
) -> None:
    client = office_client(make_staff(role))

    assert {client.get(reverse(name)).status_code for name in LISTS} == expected


def test_top_management_reads_the_risk_register_only() -> None:
    client = office_client(make_staff(RoleCode.TOP_MANAGEMENT))

    assert client.get(reverse("impartiality:risk-list")).status_code == 200
    assert client.get(reverse("impartiality:declaration-register")).status_code == 403


def test_a_candidate_is_kept_out_of_the_office(candidate: User) -> None:
    client = Client()
    client.force_login(candidate)

    assert client.get(reverse("impartiality:declaration-register")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(reverse("impartiality:declaration-list-mine"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_examiner_sees_their_own_declarations(
    examiner: User, conflict: ConflictDeclaration
) -> None:
    response = office_client(examiner).get(reverse("impartiality:declaration-list-mine"))

    assert response.status_code == 200
    assert "Practical exam, 3 March" in response.content.decode()


def test_a_declaration_is_hidden_from_other_examiners(conflict: ConflictDeclaration) -> None:
    other = office_client(make_staff(RoleCode.EXAMINER))

    response = other.get(reverse("impartiality:declaration-detail", args=[conflict.pk]))

    assert response.status_code == 404


def test_the_register_filters_conflicts_awaiting_mitigation(
    quality_manager: User, conflict: ConflictDeclaration, examiner: User
) -> None:
    declare_interests(actor=quality_manager, person=conflict.person, has_conflict=False)

    response = office_client(quality_manager).get(
        reverse("impartiality:declaration-register"), {"show": "awaiting"}
    )

    assert list(response.context["page"].object_list) == [conflict]


def test_the_declarant_proposes_a_measure_from_the_page(
    examiner: User, conflict: ConflictDeclaration
) -> None:
    response = office_client(examiner).post(
        reverse("impartiality:mitigation-propose", args=[conflict.pk]),
        {"kind": "second_examiner", "description": "A second examiner marks too."},
    )

    assert response.status_code == 302
    assert conflict.mitigations.get().status == MitigationStatus.PROPOSED


def test_a_refused_proposal_shows_the_reason(examiner: User, conflict: ConflictDeclaration) -> None:
    client = office_client(examiner)
    data = {"kind": "second_examiner", "description": "A second examiner marks too."}
    client.post(reverse("impartiality:mitigation-propose", args=[conflict.pk]), data)

    response = client.post(reverse("impartiality:mitigation-propose", args=[conflict.pk]), data)

    assert response.status_code == 422
    assert "already proposed or approved" in response.content.decode()


def test_the_quality_manager_approves_a_measure_from_the_page(
    examiner: User, quality_manager: User, conflict: ConflictDeclaration
) -> None:
    mitigation = propose_mitigation(
        actor=examiner, declaration=conflict, kind="recorded_session", description="Recorded"
    )
    client = office_client(quality_manager)

    page = client.get(reverse("impartiality:declaration-detail", args=[conflict.pk]))
    response = client.post(
        reverse("impartiality:mitigation-decide", args=[mitigation.pk, "approval"]),
        {"reason": "Recording reviewed by QM"},
    )

    assert page.context["may_decide"] is True
    assert response.status_code == 302
    assert ConflictMitigation.objects.get(pk=mitigation.pk).status == MitigationStatus.APPROVED


def test_the_declarant_gets_no_approval_button_and_is_refused(
    examiner: User, conflict: ConflictDeclaration
) -> None:
    from peritus.accounts.tests.factories import grant_role

    mitigation = propose_mitigation(
        actor=examiner, declaration=conflict, kind="recorded_session", description="Recorded"
    )
    grant_role(examiner, RoleCode.QUALITY_MANAGER)
    client = office_client(examiner)

    page = client.get(reverse("impartiality:declaration-detail", args=[conflict.pk]))
    response = client.post(
        reverse("impartiality:mitigation-decide", args=[mitigation.pk, "approval"]), {"reason": ""}
    )

    assert page.context["may_decide"] is False
    assert response.status_code == 403
    assert ConflictMitigation.objects.get(pk=mitigation.pk).status == MitigationStatus.PROPOSED


def test_an_unknown_decision_is_not_found(
    quality_manager: User, examiner: User, conflict: ConflictDeclaration
) -> None:
    mitigation = propose_mitigation(
        actor=examiner, declaration=conflict, kind="recorded_session", description="Recorded"
    )

    response = office_client(quality_manager).post(
        reverse("impartiality:mitigation-decide", args=[mitigation.pk, "override"])
    )

    assert response.status_code == 404


def test_the_quality_manager_records_training_by_the_person_s_email(
    quality_manager: User, examiner: User, candidate_person: Person
) -> None:
    response = office_client(quality_manager).post(
        reverse("impartiality:training-list"),
        {"trainer": examiner.pk, "person_email": candidate_person.email, "course": "Weld basics",
         "started_on": "2026-01-05", "ended_on": "2026-01-09"},
    )  # fmt: skip

    assert response.status_code == 302
    record = TrainingRecord.objects.get()
    assert (record.trainer, record.person, record.ended_on) == (
        examiner,
        candidate_person,
        dt.date(2026, 1, 9),
    )


def test_an_unknown_email_is_a_form_error(quality_manager: User, examiner: User) -> None:
    response = office_client(quality_manager).post(
        reverse("impartiality:training-list"),
        {"trainer": examiner.pk, "person_email": "nobody@peritus.example", "course": "C",
         "started_on": "2026-01-05"},
    )  # fmt: skip

    assert response.status_code == 422
    assert not TrainingRecord.objects.exists()


def test_the_committee_reads_training_but_cannot_record_it(
    committee_member: User, examiner: User, candidate_person: Person
) -> None:
    client = office_client(committee_member)

    assert client.get(reverse("impartiality:training-list")).context["form"] is None
    response = client.post(
        reverse("impartiality:training-list"),
        {"trainer": examiner.pk, "person_email": candidate_person.email, "course": "C",
         "started_on": "2026-01-05"},
    )  # fmt: skip
    assert response.status_code == 403


def test_the_quality_manager_records_a_risk_from_the_page(quality_manager: User) -> None:
    response = office_client(quality_manager).post(
        reverse("impartiality:risk-list"),
        {"threat": "Referral fees from training partners", "source": "referral_fees",
         "likelihood": "2", "impact": "3", "controls": "", "owner": quality_manager.pk,
         "review_due_on": "2027-01-31", "description": ""},
    )  # fmt: skip

    risk = ImpartialityRisk.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("impartiality:risk-detail", args=[risk.pk])
    assert risk.rating == 6


def test_closing_a_risk_without_controls_shows_the_refusal(
    quality_manager: User, risk: ImpartialityRisk
) -> None:
    response = office_client(quality_manager).post(
        reverse("impartiality:risk-transition", args=[risk.pk, "closure"]), {"reason": "Done"}
    )

    assert response.status_code == 422
    assert "until its controls are recorded" in response.content.decode()
    assert ImpartialityRisk.objects.get(pk=risk.pk).status == RiskStatus.OPEN


def test_an_unknown_risk_transition_is_not_found(
    quality_manager: User, risk: ImpartialityRisk
) -> None:
    response = office_client(quality_manager).post(
        reverse("impartiality:risk-transition", args=[risk.pk, "deletion"]), {"reason": "x"}
    )

    assert response.status_code == 404


def test_the_quality_manager_updates_the_controls(
    quality_manager: User, risk: ImpartialityRisk
) -> None:
    response = office_client(quality_manager).post(
        reverse("impartiality:risk-update", args=[risk.pk]),
        {"threat": risk.threat, "source": risk.source, "likelihood": "2", "impact": "4",
         "controls": "Trainers are never assigned to their trainees", "owner": quality_manager.pk,
         "review_due_on": "2027-01-31", "description": ""},
    )  # fmt: skip

    assert response.status_code == 302
    assert ImpartialityRisk.objects.get(pk=risk.pk).controls.startswith("Trainers are never")


def test_the_committee_records_a_review_but_cannot_edit(
    committee_member: User, risk: ImpartialityRisk
) -> None:
    client = office_client(committee_member)

    page = client.get(reverse("impartiality:risk-detail", args=[risk.pk]))
    review = client.post(
        reverse("impartiality:risk-review", args=[risk.pk]),
        {"conclusion": "adequate", "notes": "No incident", "next_review_on": "2099-01-01"},
    )
    edit = client.post(reverse("impartiality:risk-update", args=[risk.pk]), {"threat": "x"})

    assert page.context["edit_form"] is None
    assert review.status_code == 302
    assert risk.reviews.count() == 1
    assert edit.status_code == 403


def test_the_menu_shows_the_register_with_the_count_awaiting_mitigation(
    quality_manager: User, conflict: ConflictDeclaration
) -> None:
    from peritus.impartiality.navigation import office_links

    links = {link.label: link for link in office_links(quality_manager)}

    assert links["Conflicts of interest"].badge == 1
    assert "Impartiality risks" in links


def test_an_examiner_s_menu_has_only_their_declarations(examiner: User) -> None:
    from peritus.impartiality.navigation import office_links

    assert [link.label for link in office_links(examiner)] == ["My declarations"]


def test_the_register_page_runs_in_a_fixed_number_of_queries(
    quality_manager: User, conflict: ConflictDeclaration
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = office_client(quality_manager)
    client.get(reverse("impartiality:declaration-register"))
    with CaptureQueriesContext(connection) as one_row:
        client.get(reverse("impartiality:declaration-register"))
    for _ in range(5):
        declare_interests(
            actor=make_staff(RoleCode.EXAMINER), person=conflict.person, has_conflict=False
        )

    with CaptureQueriesContext(connection) as six_rows:
        response = client.get(reverse("impartiality:declaration-register"))

    assert len(response.context["page"].object_list) == 6
    assert len(six_rows) == len(one_row)
