"""A complaint from the public form to its closure, in the browser, without JavaScript needs.

An anonymous visitor complains through the public form (no account) and gets a reference; the
quality manager validates it in the office register, assigns an independent handler, who declares
independence, reports progress, gives the outcome and closes it. Every page is checked with axe.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.test import override_settings
from playwright.sync_api import Page, expect

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import enrol_totp, make_candidate, make_staff
from peritus.complaints.models import Complaint, ComplaintStatus

MANAGER_SECRET = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
HANDLER_SECRET = "ORSXG5DTMVRXEZLUMNXW23LQNRQWS3TU"


def staff(role: RoleCode, email: str, secret: str) -> User:
    user = make_staff(role, email=email, with_totp=False)
    enrol_totp(user, secret)
    return user


@override_settings(PERITUS_COMPLAINTS_FORM_MIN_SECONDS=0)
def test_a_visitor_complains_and_an_independent_handler_closes_the_complaint(
    page: Page,
    live_server: Any,
    sign_in_staff: Callable[..., None],
    check_axe: Callable[[Page], None],
) -> None:
    manager = staff(RoleCode.QUALITY_MANAGER, "helga@peritus.example", MANAGER_SECRET)
    handler = staff(RoleCode.COMPLAINTS_HANDLER, "paul@peritus.example", HANDLER_SECRET)

    page.goto(f"{live_server.url}/complaints/")
    check_axe(page)
    page.get_by_label("Your name").fill("Jana Meyer")
    page.get_by_label("Your email address").fill("jana@complainant.example")
    page.get_by_label("The certification body or its service").check()
    page.get_by_label("What happened").fill("My results letter came three weeks late.")
    page.get_by_role("button", name="Send the complaint").click()
    expect(page).to_have_url(re.compile(r"/complaints/received/"))
    check_axe(page)
    complaint = Complaint.objects.get()
    expect(page.get_by_text(complaint.reference)).to_be_visible()

    sign_in_staff(manager, secret=MANAGER_SECRET)
    page.goto(f"{live_server.url}/office/complaints/")
    check_axe(page)
    page.get_by_role("link", name=complaint.reference).click()
    check_axe(page)
    page.get_by_label("About the body's certification activities").check()
    page.get_by_label("Reasons").fill("About the body's service.")
    page.get_by_role("button", name="Validate", exact=True).click()
    check_axe(page)
    page.get_by_role("combobox", name="Handler").select_option(str(handler.pk))
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("The handler is assigned and told.")).to_be_visible()
    page.context.clear_cookies()

    sign_in_staff(handler, secret=HANDLER_SECRET)
    page.goto(f"{live_server.url}/office/complaints/{complaint.reference}/")
    page.get_by_role("button", name="I declare it").click()
    check_axe(page)
    page.get_by_label("Message to the complainant").fill("We asked the exam centre.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_label("Upheld", exact=True).check()
    page.get_by_label("Findings and reasons").fill("The letters were posted late.")
    page.get_by_role("button", name="Give the outcome").click()
    check_axe(page)
    page.get_by_label("Closure note").fill("Letters now go out on time.")
    page.get_by_role("button", name="Close and send the closure notice").click()
    expect(page.get_by_text("The complaint is closed; the closure notice is sent.")).to_be_visible()
    check_axe(page)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED


@override_settings(PERITUS_COMPLAINTS_FORM_MIN_SECONDS=0)
def test_a_signed_in_candidate_follows_their_complaint_in_the_portal(
    page: Page,
    live_server: Any,
    sign_in_candidate: Callable[[User], None],
    check_axe: Callable[[Page], None],
) -> None:
    candidate = make_candidate(email="ada@peritus.example", given_names="Ada", family_name="Lind")

    sign_in_candidate(candidate)
    page.goto(f"{live_server.url}/portal/complaints/")
    check_axe(page)
    page.get_by_role("link", name="Make a complaint").click()
    page.get_by_label("Your name").fill("Ada Lind")
    page.get_by_label("Your email address").fill(candidate.email)
    page.get_by_label("A certified person").check()
    page.get_by_label("What happened").fill("A certified inspector used my name on a report.")
    page.get_by_role("button", name="Send the complaint").click()
    expect(page).to_have_url(re.compile(r"/complaints/received/"))

    page.goto(f"{live_server.url}/portal/complaints/")
    complaint = Complaint.objects.get()
    expect(page.get_by_role("heading", name=re.compile(complaint.reference))).to_be_visible()
    check_axe(page)
