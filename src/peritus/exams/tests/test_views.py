"""The office and portal pages: who sees what, and the forms call the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.tests.factories import MINIMAL_PDF, make_application
from peritus.exams.models import (
    AssessmentEvent,
    ComponentResult,
    EventAssignment,
    EventCandidate,
    EventStatus,
    ResultStatus,
)
from peritus.exams.services import add_attachment, assign_personnel, release_result
from peritus.exams.tests.factories import (
    book,
    declare_no_conflict,
    make_candidate_application,
    make_event,
    mark,
    ready_to_mark,
)
from peritus.impartiality.models import ConflictDeclaration
from peritus.impartiality.tests.factories import office_client
from peritus.schemes.models import AssessmentComponent, SchemeVersion
from peritus.schemes.tests.factories import make_scheme

pytestmark = pytest.mark.django_db


def portal_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (RoleCode.CERTIFICATION_OFFICER, 200),
        (RoleCode.EXAMINER, 200),
        (RoleCode.INVIGILATOR, 200),
        (RoleCode.DECISION_MAKER, 200),
        (RoleCode.QUALITY_MANAGER, 200),
        (RoleCode.ITEM_AUTHOR, 403),
    ],
)
def test_the_event_list_opens_to_the_assessment_personnel(role: RoleCode, status: int) -> None:
    response = office_client(make_staff(role)).get(reverse("exams:event-list"))

    assert response.status_code == status


def test_an_examiner_lists_only_the_events_they_are_assigned_to(
    officer: User, examiner: User, component: AssessmentComponent
) -> None:
    mine = make_event(officer, component, starts_at=timezone.now() + dt.timedelta(days=2))
    make_event(officer, component, starts_at=timezone.now() + dt.timedelta(days=3))
    assign_personnel(actor=officer, event=mine, user=examiner, role="examiner")

    response = office_client(examiner).get(reverse("exams:event-list"))

    assert [event.pk for event in response.context["page"].object_list] == [mine.pk]


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 200), ("assigned examiner", 200), ("other examiner", 404),
     ("other scheme officer", 404), ("decision maker", 200)],
)  # fmt: skip
def test_who_sees_an_event(
    officer: User, examiner: User, event: AssessmentEvent, who: str, status: int
) -> None:
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    users = {
        "officer": officer,
        "assigned examiner": examiner,
        "other examiner": make_staff(RoleCode.EXAMINER),
        "other scheme officer": make_staff(RoleCode.CERTIFICATION_OFFICER, scheme=make_scheme()),
        "decision maker": make_staff(RoleCode.DECISION_MAKER),
    }

    response = office_client(users[who]).get(reverse("exams:event-detail", args=[event.pk]))

    assert response.status_code == status


def test_an_officer_schedules_an_event_from_the_form(
    officer: User, component: AssessmentComponent
) -> None:
    client = office_client(officer)
    assert (
        component
        in client.get(reverse("exams:event-create")).context["form"].fields["component"].queryset
    )

    response = client.post(
        reverse("exams:event-create"),
        {"component": component.pk, "starts_at": "2027-03-04T09:30", "duration_minutes": "120",
         "delivery": "in_person", "location": "Bergen, hall B", "capacity": "20"},
    )  # fmt: skip

    event = AssessmentEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exams:event-detail", args=[event.pk])
    assert (event.capacity, event.location) == (20, "Bergen, hall B")


def test_an_examiner_cannot_open_the_scheduling_form(examiner: User) -> None:
    assert office_client(examiner).get(reverse("exams:event-create")).status_code == 403


def test_the_officer_assigns_and_books_from_the_event_page(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    client = office_client(officer)

    assigned = client.post(
        reverse("exams:event-assign", args=[event.pk]), {"user": examiner.pk, "role": "examiner"}
    )
    booked = client.post(
        reverse("exams:event-add-candidate", args=[event.pk]), {"application": application.pk}
    )

    assert (assigned.status_code, booked.status_code) == (302, 302)
    assert EventAssignment.objects.filter(event=event, user=examiner).exists()
    assert EventCandidate.objects.filter(event=event, application=application).exists()


def test_booking_an_application_that_is_not_eligible_shows_the_refusal(
    officer: User, event: AssessmentEvent, version: SchemeVersion
) -> None:
    draft = make_application(scheme_version=version, status=ApplicationStatus.IN_REVIEW)

    response = office_client(officer).post(
        reverse("exams:event-add-candidate", args=[event.pk]), {"application": draft.pk}
    )

    assert response.status_code == 422
    assert "found eligible" in response.content.decode()
    assert not EventCandidate.objects.exists()


def test_an_examiner_cannot_book_candidates(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")

    response = office_client(examiner).post(
        reverse("exams:event-add-candidate", args=[event.pk]), {"application": application.pk}
    )

    assert response.status_code == 403


def test_the_invigilator_records_attendance(
    officer: User,
    invigilator: User,
    event: AssessmentEvent,
    application: Application,
    version: SchemeVersion,
) -> None:
    assign_personnel(actor=officer, event=event, user=invigilator, role="invigilator")
    _present, absent = book(officer, event, application, make_candidate_application(version))
    declare_no_conflict(invigilator, event)
    client = office_client(invigilator)

    page = client.get(reverse("exams:event-attendance", args=[event.pk]))
    response = client.post(
        reverse("exams:event-attendance", args=[event.pk]), {"absent": [absent.pk]}
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert AssessmentEvent.objects.get(pk=event.pk).status == EventStatus.HELD
    assert EventCandidate.objects.get(pk=absent.pk).attendance == "absent"


def test_the_examiner_declares_on_one_screen_then_records_a_result(
    officer: User,
    examiner: User,
    event: AssessmentEvent,
    application: Application,
    version: SchemeVersion,
) -> None:
    from peritus.exams.services import record_event_held

    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    first, second = book(officer, event, application, make_candidate_application(version))
    record_event_held(actor=officer, event=event)
    client = office_client(examiner)

    detail = client.get(reverse("exams:event-detail", args=[event.pk]))
    refused = client.post(reverse("exams:entry-result", args=[first.pk]), {"score": "80"})
    screen = client.get(reverse("exams:event-declarations", args=[event.pk]))
    declared = client.post(
        reverse("exams:event-declarations", args=[event.pk]),
        {f"candidate-{first.pk}-has_conflict": "no",
         f"candidate-{second.pk}-has_conflict": "yes",
         f"candidate-{second.pk}-nature": "colleague",
         f"candidate-{second.pk}-details": "Same inspection team"},
    )  # fmt: skip
    recorded = client.post(
        reverse("exams:entry-result", args=[first.pk]),
        {"score": "80", "rubric_notes": "All criteria", "feedback": "Good"},
    )
    withdrawn = client.get(reverse("exams:entry-result", args=[second.pk]))

    assert detail.context["undeclared"] == 2
    assert refused.status_code == 422
    assert "Declare your interests" in refused.content.decode()
    assert len(screen.context["forms"]) == 2
    assert declared.status_code == 302
    assert ConflictDeclaration.objects.filter(declarant=examiner).count() == 2
    assert recorded.status_code == 302
    assert ComponentResult.objects.get(entry=first).score == 80
    assert withdrawn.context["block"] == "conflict_of_interest"
    assert withdrawn.context["mark_form"] is None


def test_an_unanswered_declaration_screen_records_nothing(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    (entry,) = book(officer, event, application)

    response = office_client(examiner).post(
        reverse("exams:event-declarations", args=[event.pk]),
        {f"candidate-{entry.pk}-has_conflict": "yes"},  # no nature
    )

    assert response.status_code == 422
    assert not ConflictDeclaration.objects.exists()


def test_an_invigilator_gets_no_marking_form_and_is_refused(
    officer: User, invigilator: User, component: AssessmentComponent, application: Application
) -> None:
    from peritus.exams.services import record_event_held

    event = make_event(officer, component)
    assign_personnel(actor=officer, event=event, user=invigilator, role="invigilator")
    (entry,) = book(officer, event, application)
    declare_no_conflict(invigilator, event)
    record_event_held(actor=invigilator, event=event)
    client = office_client(invigilator)

    page = client.get(reverse("exams:entry-result", args=[entry.pk]))
    response = client.post(reverse("exams:entry-result", args=[entry.pk]), {"score": "90"})

    assert page.context["mark_form"] is None
    assert response.status_code == 403
    assert not ComponentResult.objects.exists()


def test_a_conflicted_examiner_does_not_see_the_candidate_s_score(
    officer: User,
    examiner: User,
    second_examiner: User,
    event: AssessmentEvent,
    application: Application,
) -> None:
    from peritus.exams.services import CandidateDeclaration, declare_event_interests

    (entry,) = ready_to_mark(officer, second_examiner, event, application)
    mark(second_examiner, entry, "77.25")
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    declare_event_interests(
        actor=examiner, event=event,
        declarations=[CandidateDeclaration(entry, True, "trainer", "Trained them")],
    )  # fmt: skip
    client = office_client(examiner)

    detail = client.get(reverse("exams:event-detail", args=[event.pk]))
    page = client.get(reverse("exams:entry-result", args=[entry.pk]))

    (row,) = detail.context["rows"]
    assert row["withdrawn"] is True
    assert row["show_score"] is False
    assert page.context["result"] is None
    assert "77.25" not in page.content.decode()  # (not "77": a CSRF token may hold it)


def test_second_marking_and_reconciliation_through_the_pages(
    officer: User,
    examiner: User,
    second_examiner: User,
    component: AssessmentComponent,
    application: Application,
) -> None:
    from peritus.exams.tests.factories import declare_no_conflict

    event = make_event(officer, component, double_marking=True)
    (entry,) = ready_to_mark(officer, examiner, event, application)
    assign_personnel(actor=officer, event=event, user=second_examiner, role="examiner")
    declare_no_conflict(second_examiner, event)
    result = mark(examiner, entry, 50)
    second = office_client(second_examiner)

    form_shown = second.get(reverse("exams:entry-result", args=[entry.pk])).context["second_form"]
    second.post(reverse("exams:result-second-mark", args=[result.pk]), {"score": "80"})
    reconciled = office_client(examiner).post(
        reverse("exams:result-reconcile", args=[result.pk]),
        {"score": "72", "notes": "Agreed after reviewing task 2 together"},
    )

    assert form_shown is not None
    assert reconciled.status_code == 302
    final = ComponentResult.objects.get(pk=result.pk)
    assert (final.status, final.score) == (ResultStatus.FINAL, Decimal(72))


def test_only_the_officer_releases_from_the_pages(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    result = mark(examiner, entry, 88)

    by_examiner = office_client(examiner).post(reverse("exams:result-release", args=[result.pk]))
    by_officer = office_client(officer).post(reverse("exams:event-release", args=[event.pk]))

    assert by_examiner.status_code == 403
    assert by_officer.status_code == 302
    assert ComponentResult.objects.get(pk=result.pk).status == ResultStatus.RELEASED


def test_an_officer_asks_for_a_second_mark_from_the_page(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    result = mark(examiner, entry, 69)

    response = office_client(officer).post(
        reverse("exams:result-request-second-mark", args=[result.pk]), {"reason": "Borderline"}
    )

    assert response.status_code == 302
    assert ComponentResult.objects.get(pk=result.pk).status == ResultStatus.AWAITING_SECOND_MARK


def test_attachments_are_uploaded_and_served_only_to_those_who_see_the_result(
    officer: User,
    examiner: User,
    event: AssessmentEvent,
    application: Application,
    candidate: User,
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    result = mark(examiner, entry, 88)
    client = office_client(examiner)

    uploaded = client.post(
        reverse("exams:result-attach", args=[result.pk]),
        {"upload": SimpleUploadedFile("script.pdf", MINIMAL_PDF), "description": "Script"},
    )
    attachment = result.attachments.get()
    url = reverse("exams:attachment-download", args=[attachment.pk])
    by_marker = client.get(url)
    by_officer = office_client(officer).get(url)
    by_other_examiner = office_client(make_staff(RoleCode.EXAMINER)).get(url)
    by_candidate = portal_client(candidate).get(url)

    assert uploaded.status_code == 302
    assert by_marker.status_code == 200
    assert b"".join(by_marker.streaming_content) == MINIMAL_PDF  # type: ignore[attr-defined]
    assert by_marker["Content-Disposition"].startswith('attachment; filename="script.pdf"')
    assert by_officer.status_code == 200
    assert by_other_examiner.status_code == 404
    assert by_candidate.status_code == 403  # the back office is for staff only


def test_an_uploaded_executable_is_refused_on_the_page(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    result = mark(examiner, entry, 88)

    response = office_client(examiner).post(
        reverse("exams:result-attach", args=[result.pk]),
        {"upload": SimpleUploadedFile("x.pdf", b"MZ\x90\x00binary")},
    )

    assert response.status_code == 422
    assert not result.attachments.exists()


def test_the_candidate_sees_released_results_with_feedback_and_nothing_unreleased(
    officer: User, examiner: User, application: Application, candidate: User
) -> None:
    first = application.scheme_version.components.get(code="C1")
    second = application.scheme_version.components.get(code="C2")
    (entry_one,) = ready_to_mark(officer, examiner, make_event(officer, first), application)
    release_result(actor=officer, result=mark(examiner, entry_one, 81))
    (entry_two,) = ready_to_mark(officer, examiner, make_event(officer, second), application)
    mark(examiner, entry_two, 64)

    response = portal_client(candidate).get(reverse("exams:portal-assessments"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "81.00 of 100.00" in body
    assert "Clear reasoning." in body
    assert "64.00" not in body  # a bare "64" may sit in a random reference
    rows = {row["entry"].pk: row["result"] for row in response.context["rows"]}
    assert rows[entry_two.pk] is None


def test_another_candidate_sees_none_of_it(
    officer: User,
    examiner: User,
    event: AssessmentEvent,
    application: Application,
    outsider: User,
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    release_result(actor=officer, result=mark(examiner, entry, 81))

    response = portal_client(outsider).get(reverse("exams:portal-assessments"))

    assert response.context["rows"] == []
    assert "81.00" not in response.content.decode()  # a bare "81" may sit in a random nonce


def test_the_portal_page_asks_anonymous_visitors_to_sign_in() -> None:
    response = Client().get(reverse("exams:portal-assessments"))

    assert response.status_code == 302


def test_attachment_of_a_released_result_still_downloads_for_the_officer(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    result = mark(examiner, entry, 88)
    attachment = add_attachment(
        actor=examiner, result=result, upload=SimpleUploadedFile("a.pdf", MINIMAL_PDF)
    )
    release_result(actor=officer, result=result)

    response = office_client(officer).get(
        reverse("exams:attachment-download", args=[attachment.pk])
    )

    assert response.status_code == 200


def test_the_event_page_runs_in_a_fixed_number_of_queries(
    officer: User, examiner: User, event: AssessmentEvent, version: SchemeVersion
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    book(officer, event, make_candidate_application(version))
    client = office_client(officer)
    client.get(reverse("exams:event-detail", args=[event.pk]))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("exams:event-detail", args=[event.pk]))
    book(officer, event, *(make_candidate_application(version) for _ in range(4)))

    with CaptureQueriesContext(connection) as five:
        client.get(reverse("exams:event-detail", args=[event.pk]))

    assert len(five) == len(one)


def test_the_office_menu_shows_results_waiting_for_release(
    officer: User, examiner: User, event: AssessmentEvent, application: Application
) -> None:
    from peritus.exams.navigation import office_links

    (entry,) = ready_to_mark(officer, examiner, event, application)
    mark(examiner, entry, 88)

    (link,) = office_links(officer)

    assert link.badge == 1
    assert [link.badge for link in office_links(examiner)] == [None]


def test_past_and_upcoming_events_are_listed_in_order(
    officer: User, component: AssessmentComponent
) -> None:
    now = timezone.now()
    older = make_event(officer, component, starts_at=now - dt.timedelta(days=9))
    newer = make_event(officer, component, starts_at=now - dt.timedelta(days=2))
    later = make_event(officer, component, starts_at=now + dt.timedelta(days=9))
    sooner = make_event(officer, component, starts_at=now + dt.timedelta(days=2))
    client = office_client(officer)

    past = client.get(reverse("exams:event-list"), {"when": "past"})
    upcoming = client.get(reverse("exams:event-list"))

    assert [e.pk for e in past.context["page"].object_list] == [newer.pk, older.pk]
    assert [e.pk for e in upcoming.context["page"].object_list] == [sooner.pk, later.pk]
