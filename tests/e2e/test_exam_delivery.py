"""A candidate with 25 % extra time sits a short online exam: checks in, waits for the invigilator
(who checks their identity on the console and releases the start), answers with autosave,
reloads mid-way and loses nothing, is paused by the invigilator (the time is credited), and is
closed at the server's deadline, which refuses a late answer.

The exam lasts one minute (75 seconds with the extra time), so the deadline passes for real.
Every page visited is checked with axe (no serious or critical violations).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.second_factor import current_totp_code
from peritus.accounts.tests.factories import TEST_PASSWORD, enrol_totp, make_staff
from peritus.exams.models import AnswerEvent, Attempt, AttemptStatus, CloseReason
from peritus.exams.tests.delivery_factories import (
    book,
    declare_invigilator,
    make_online_exam,
    make_session,
    make_sitter,
)

INVIGILATOR_SECRET = "NFXHM2LHNFWGC5DPOIWWK6DBNUWWKMTF"  # each staff member has their own factor


def _sign_in_staff(page: Page, base: str, user: User, secret: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(current_totp_code(secret))
    page.get_by_role("button", name=re.compile("Sign in|Confirm|Verify", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"/office/"))


def _saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=10000)


def test_a_candidate_with_extra_time_sits_is_paused_reloads_and_is_closed_at_the_deadline(
    page: Page,
    browser: Browser,
    live_server: Any,
    sign_in_candidate: Callable[[User], None],
    check_axe: Callable[[Page], None],
) -> None:
    exam = make_online_exam(names=["single", "multiple", "order", "text"])
    exam.invigilator = make_staff(
        RoleCode.INVIGILATOR, email="ines@peritus.example", with_totp=False
    )
    enrol_totp(exam.invigilator, INVIGILATOR_SECRET)
    session = make_session(exam, duration_minutes=1, shuffle_items=False)
    candidate = make_sitter(exam, extra_time=25)
    attempt = book(exam, session, candidate)
    declare_invigilator(exam, session)
    base = live_server.url

    # The candidate checks in: the rules and the non-disclosure agreement.
    sign_in_candidate(candidate)
    page.goto(f"{base}/portal/exams/")
    check_axe(page)
    page.get_by_role("link", name="Online examination").click()
    check_axe(page)
    page.get_by_label("I have read the exam rules and will follow them").check()
    page.get_by_label("I accept the non-disclosure agreement").check()
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("heading", name="Waiting for the invigilator")).to_be_visible()
    check_axe(page)

    # The invigilator checks the identity on the console and releases the start.
    office = browser.new_context().new_page()
    _sign_in_staff(office, base, exam.invigilator, INVIGILATOR_SECRET)
    office.goto(f"{base}/office/exam-sessions/{session.pk}/console/")
    check_axe(office)
    expect(office.get_by_text("+25 %")).to_have_count(0)  # applied only at the identity check
    office.get_by_label("Identity document").select_option("passport")
    office.get_by_role(
        "button", name=f"Identity checked: release start {candidate.full_name}"
    ).click()
    expect(office.get_by_text("+25 %")).to_be_visible()
    check_axe(office)

    # The candidate's waiting page notices by itself; the clock starts with the exam.
    expect(page.get_by_role("button", name="Start the exam")).to_be_visible(timeout=15000)
    check_axe(page)
    page.get_by_role("button", name="Start the exam").click()
    expect(page.get_by_role("heading", name=re.compile(r"Question 1 of 4"))).to_be_visible()
    check_axe(page)
    started = Attempt.objects.get(pk=attempt.pk)
    assert started.allotted_seconds == 75
    expect(page.get_by_text("includes your 25 % extra time")).to_be_visible()

    # Answer two questions with autosave (no button pressed), then reload: nothing is lost.
    page.get_by_label("Short-lived credentials").check()
    _saved(page)
    page.get_by_role("button", name=re.compile(r"^Question 2\b")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Question 2 of 4"))).to_be_visible()
    page.get_by_label("A hardware key").check()
    page.get_by_label("A one-time code app").check()
    page.get_by_label("Flag this question to come back to it").check()
    _saved(page)
    page.reload()
    check_axe(page)
    expect(page.get_by_label("A one-time code app")).to_be_checked()
    expect(page.get_by_label("Flag this question to come back to it")).to_be_checked()
    page.get_by_role("button", name=re.compile(r"^Question 1\b")).click()
    expect(page.get_by_label("Short-lived credentials")).to_be_checked()
    assert AnswerEvent.objects.filter(attempt=attempt).count() >= 3

    # The invigilator pauses the candidate: the exam page gives way; the time is credited.
    office.reload()
    office.get_by_role("button", name=f"Pause {candidate.full_name}").click()
    expect(office.get_by_text("stopped (paused)")).to_be_visible()
    paused_at = timezone.now()
    expect(page.get_by_role("heading", name="Your exam is paused")).to_be_visible(timeout=20000)
    check_axe(page)
    page.wait_for_timeout(4000)
    office.get_by_role("button", name=f"Resume {candidate.full_name}").click()
    resumed_at = timezone.now()
    check_axe(office)
    expect(page.get_by_role("heading", name=re.compile(r"Question \d of 4"))).to_be_visible(
        timeout=15000
    )
    answer_token = page.locator("#question-form").get_attribute("data-save-token")
    assert answer_token
    resumed = Attempt.objects.get(pk=attempt.pk)
    assert resumed.started_at is not None
    assert resumed.deadline_at is not None
    credited = resumed.deadline_at - (resumed.started_at + dt.timedelta(seconds=75))
    assert dt.timedelta(seconds=3) <= credited <= resumed_at - paused_at + dt.timedelta(seconds=2)

    # The server's deadline passes: the page's countdown leads to the closed attempt.
    expect(page.get_by_role("heading", name="Your exam is closed")).to_be_visible(timeout=120000)
    check_axe(page)
    closed = Attempt.objects.get(pk=attempt.pk)
    assert closed.status == AttemptStatus.TIMED_OUT
    assert closed.close_reason == CloseReason.DEADLINE
    assert closed.closed_at == resumed.deadline_at

    # A late answer (a stale tab, a replayed request) is refused with its code.
    token = page.context.cookies()
    csrf = next(cookie["value"] for cookie in token if cookie["name"] == "csrftoken")
    late = page.request.post(
        f"{base}/portal/exams/{attempt.reference}/answers/",
        form={"position": "1", "key": "late-after-deadline", "response": "A"},
        headers={
            "X-CSRFToken": csrf,
            "X-Exam-Token": answer_token,  # what the exam page sends with each save
            "Referer": f"{base}/portal/exams/",
        },
    )
    assert late.status == 409
    assert late.json()["code"] == "attempt_closed"
    office.close()
