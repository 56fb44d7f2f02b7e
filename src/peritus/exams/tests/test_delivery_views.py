"""Pages of online delivery: who may open what (R14 in particular), the no-JavaScript exam, the
autosave and clock endpoints, and constant query counts on the invigilation console."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.exams.delivery import autosave, release, sessions
from peritus.exams.delivery.tokens import answer_token
from peritus.exams.models import AnswerEvent, Attempt, AttemptStatus, ExamSession, KeyFinding
from peritus.exams.tests.delivery_factories import (
    RIGHT,
    OnlineExam,
    book,
    declare_invigilator,
    make_online_exam,
    make_session,
    make_sitter,
    position_of,
    seated,
)
from peritus.impartiality.tests.factories import office_client

pytestmark = pytest.mark.django_db


def portal_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def exam() -> OnlineExam:
    return make_online_exam(names=["single", "order", "essay"])


@pytest.fixture
def session(exam: OnlineExam) -> ExamSession:
    return make_session(exam)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (RoleCode.CERTIFICATION_OFFICER, 200),
        (RoleCode.INVIGILATOR, 200),
        (RoleCode.EXAMINER, 200),
        (RoleCode.PSYCHOMETRICIAN, 200),
        (RoleCode.DECISION_MAKER, 200),
        (RoleCode.ITEM_AUTHOR, 403),
        (RoleCode.FINANCE_OFFICER, 403),
    ],
)
def test_the_session_list_opens_to_the_exam_personnel(role: RoleCode, status: int) -> None:
    response = office_client(make_staff(role)).get(reverse("exams:session-list"))

    assert response.status_code == status


def _who(exam: OnlineExam, who: str) -> User:
    if who == "unassigned invigilator":
        return make_staff(RoleCode.INVIGILATOR)
    if who == "decision maker":
        return make_staff(RoleCode.DECISION_MAKER)
    return {
        "officer": exam.officer, "invigilator": exam.invigilator, "examiner": exam.examiner,
        "psychometrician": exam.psychometrician,
    }[who]  # fmt: skip


@pytest.mark.parametrize(
    ("page", "who", "status"),
    [
        ("session-detail", "officer", 200),
        ("session-detail", "invigilator", 200),
        ("session-detail", "examiner", 200),
        ("session-detail", "psychometrician", 200),
        ("session-detail", "decision maker", 200),
        ("session-detail", "unassigned invigilator", 404),
        ("session-console", "invigilator", 200),
        ("session-console", "officer", 403),
        ("session-console", "examiner", 403),
        ("session-console", "psychometrician", 403),
        ("session-console", "unassigned invigilator", 404),
        ("session-keys", "psychometrician", 200),
        ("session-keys", "officer", 403),
        ("session-keys", "invigilator", 403),
        ("session-keys", "examiner", 403),
        ("session-marking", "examiner", 200),
        ("session-marking", "invigilator", 403),
        ("session-marking", "officer", 403),
    ],
)
def test_permission_matrix_of_the_session_pages(
    exam: OnlineExam, session: ExamSession, page: str, who: str, status: int
) -> None:
    response = office_client(_who(exam, who)).get(reverse(f"exams:{page}", args=[session.pk]))

    assert response.status_code == status


def test_the_console_shows_the_clock_never_an_answer_or_a_key(
    exam: OnlineExam, session: ExamSession
) -> None:
    [(user, attempt)] = seated(exam, session, 1)
    autosave.save_answer(
        actor=user, reference=attempt.reference, position=position_of(attempt, exam.entries["essay"]),
        fields={"response": ["My secret essay answer"]}, idempotency_key="console-check-1",
    )  # fmt: skip

    response = office_client(exam.invigilator).get(
        reverse("exams:session-console", args=[session.pk])
    )
    record = office_client(exam.invigilator).get(
        reverse("exams:attempt-record", args=[attempt.reference])
    )

    html = response.content.decode() + record.content.decode()
    assert "My secret essay answer" not in html
    assert "Short-lived credentials" not in html  # the key's option text
    assert attempt.reference in html


def test_an_invigilator_cannot_reach_a_candidate_s_exam_or_answer_it(
    exam: OnlineExam, session: ExamSession
) -> None:
    [(_user, attempt)] = seated(exam, session, 1)
    client = office_client(exam.invigilator)

    page = client.get(reverse("exams:attempt-question", args=[attempt.reference, 1]))
    save = client.post(
        reverse("exams:attempt-save", args=[attempt.reference]),
        {"position": "1", "key": "invigilator-try-1", "response": "B"},
    )

    assert page.status_code == 404
    assert save.status_code == 403
    assert save.json()["code"] == "invalid_token"
    assert not AnswerEvent.objects.exists()


def _token(client: Client, attempt: Attempt) -> str:
    """The answer token the question page gives the exam script."""
    page = client.get(reverse("exams:attempt-question", args=[attempt.reference, 1]))
    match = re.search(r'data-save-token="([^"]+)"', page.content.decode())
    assert match is not None
    return match.group(1)


def test_an_answer_token_saves_only_to_its_own_attempt(
    exam: OnlineExam, session: ExamSession
) -> None:
    [(user, attempt), (other, other_attempt)] = seated(exam, session, 2)
    mine = _token(portal_client(user), attempt)
    body = {"position": "1", "key": "token-check-01", "response": "B"}

    theirs = portal_client(other).post(
        reverse("exams:attempt-save", args=[other_attempt.reference]), body,
        HTTP_X_EXAM_TOKEN=mine,
    )  # fmt: skip
    forged = Client().post(
        reverse("exams:attempt-save", args=[attempt.reference]), body,
        HTTP_X_EXAM_TOKEN=mine[:-2] + "xx",
    )  # fmt: skip
    forged_for_another = Client().post(
        reverse("exams:attempt-save", args=[attempt.reference]), body,
        HTTP_X_EXAM_TOKEN=answer_token(reference=attempt.reference, candidate_id=other.pk),
    )  # fmt: skip

    assert (theirs.status_code, theirs.json()["code"]) == (403, "invalid_token")
    assert (forged.status_code, forged.json()["code"]) == (403, "invalid_token")
    assert (forged_for_another.status_code, forged_for_another.json()["code"]) == (
        403, "not_the_candidate",
    )  # fmt: skip
    assert not AnswerEvent.objects.exists()


def test_a_candidate_never_opens_another_candidate_s_exam(
    exam: OnlineExam, session: ExamSession
) -> None:
    [(_user, attempt)] = seated(exam, session, 1)
    other = make_sitter(exam)

    response = portal_client(other).get(reverse("exams:attempt", args=[attempt.reference]))

    assert response.status_code == 404


def test_the_exam_works_without_javascript_from_check_in_to_hand_in(
    exam: OnlineExam, session: ExamSession
) -> None:
    user = make_sitter(exam)
    attempt = book(exam, session, user)
    declare_invigilator(exam, session)
    client = portal_client(user)
    lobby = reverse("exams:attempt", args=[attempt.reference])

    assert "Check in" in client.get(lobby).content.decode()
    client.post(lobby, {"accept_rules": "on", "accept_nda": "on"})
    office_client(exam.invigilator).post(
        reverse("exams:attempt-identity", args=[attempt.reference]),
        {"document": "passport", "release": "1"},
    )
    started = client.post(reverse("exams:attempt-start", args=[attempt.reference]))
    assert started.status_code == 302
    question = client.get(started["Location"])
    assert question.status_code == 200
    assert 'name="go" value="next"' in question.content.decode()

    position = position_of(attempt, exam.entries["single"])
    saved = client.post(
        reverse("exams:attempt-question", args=[attempt.reference, position]),
        {"position": position, "key": "nojs-save-0001", "response": "B", "flagged": "on", "go": "review"},
    )  # fmt: skip
    assert saved["Location"] == reverse("exams:attempt-review", args=[attempt.reference])
    review = client.get(saved["Location"]).content.decode()
    assert "Hand in my exam" in review
    client.post(reverse("exams:attempt-submit", args=[attempt.reference]))

    closed = Attempt.objects.get(pk=attempt.pk)
    assert closed.status == AttemptStatus.SUBMITTED
    answer_row = AnswerEvent.objects.get(attempt=attempt)
    assert (answer_row.response, answer_row.flagged, answer_row.channel) == (["B"], True, "form")


def test_a_malformed_answer_posted_without_javascript_shows_the_reason(
    exam: OnlineExam, session: ExamSession
) -> None:
    [(user, attempt)] = seated(exam, session, 1)
    position = position_of(attempt, exam.entries["order"])

    response = portal_client(user).post(
        reverse("exams:attempt-question", args=[attempt.reference, position]),
        {"position": position, "key": "nojs-bad-0001", "order-P1": "1", "order-P2": "1"},
    )

    assert response.status_code == 422
    assert "only once" in response.content.decode()


def test_the_autosave_endpoint_confirms_once_and_refuses_late_answers_with_a_code(
    exam: OnlineExam,
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        session = make_session(exam, starts_at=start)
        [(user, attempt)] = seated(exam, session, 1)
        client = portal_client(user)
        token = _token(client, attempt)
        url = reverse("exams:attempt-save", args=[attempt.reference])
        position = position_of(attempt, exam.entries["single"])
        body = {"position": str(position), "key": "js-save-000001", **RIGHT["single"]}
        first = Client().post(url, body, HTTP_X_EXAM_TOKEN=token)  # no session needed
        again = Client().post(url, body, HTTP_X_EXAM_TOKEN=token)
        bad = Client().post(
            url, {"position": "99", "key": "js-save-000002"}, HTTP_X_EXAM_TOKEN=token
        )
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        late = Client().post(url, {**body, "key": "js-save-000003"}, HTTP_X_EXAM_TOKEN=token)

    assert first.status_code == again.status_code == 200
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert first.json()["remaining_seconds"] == 3600
    assert (bad.status_code, bad.json()["code"]) == (422, "unknown_position")
    assert (late.status_code, late.json()["code"]) == (409, "answer_after_deadline")
    assert AnswerEvent.objects.filter(attempt=attempt).count() == 1


def test_the_clock_endpoint_gives_the_server_s_remaining_time(exam: OnlineExam) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [(user, attempt)] = seated(exam, make_session(exam, starts_at=start), 1)
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        data = (
            portal_client(user).get(reverse("exams:attempt-clock", args=[attempt.reference])).json()
        )

    assert data["status"] == "in_progress"
    assert data["remaining_seconds"] == 50 * 60
    assert data["running"] is True


def test_the_console_costs_the_same_queries_for_one_or_five_candidates(
    exam: OnlineExam, session: ExamSession
) -> None:
    seated(exam, session, 1)
    client = office_client(exam.invigilator)
    url = reverse("exams:session-console", args=[session.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    seated(exam, session, 4)
    with CaptureQueriesContext(connection) as five:
        client.get(url)

    assert len(five) == len(one)


def test_the_key_review_page_shows_the_psychometrician_the_flags_and_the_key(
    exam: OnlineExam, session: ExamSession
) -> None:
    pairs = seated(exam, session, 2)
    for user, attempt in pairs:
        autosave.submit_attempt(actor=user, attempt=attempt)
    sessions.end_session(actor=exam.invigilator, session=session)
    review = release.analyse_session_keys(actor=exam.psychometrician, session=session)
    flagged = set(KeyFinding.objects.filter(review=review).values_list("form_entry_id", flat=True))
    for name in ("single", "order"):
        if exam.entries[name].pk not in flagged:
            release.add_key_finding(
                actor=exam.psychometrician, session=session, entry_id=exam.entries[name].pk,
                reason="A candidate wrote in.",
            )  # fmt: skip

    page = office_client(exam.psychometrician).get(reverse("exams:session-keys", args=[session.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    for finding in KeyFinding.objects.filter(review=review):
        assert finding.label in html
    assert "Short-lived credentials" in html  # the psychometrician sees the options and the key


def test_the_candidate_books_from_the_portal(exam: OnlineExam) -> None:
    session = make_session(exam, starts_at=timezone.now() + dt.timedelta(days=3))
    user = make_sitter(exam)
    client = portal_client(user)

    listing = client.get(reverse("exams:portal-exams"))
    booked = client.post(reverse("exams:portal-book", args=[session.pk]))

    assert "Book a seat" in listing.content.decode()
    attempt = Attempt.objects.get(candidate=user)
    assert booked["Location"] == reverse("exams:attempt", args=[attempt.reference])
