"""A certified person logs CPD and recertifies, in the browser; the public sees the new validity.

The holder's certificate is in its recertification window. From the portal they see what is due,
log a CPD activity with its evidence and apply for recertification. A reviewer checks the evidence
and recommends; an independent decision maker recertifies; the anonymous verification page shows
the new expiry at once. Every page visited is checked with axe.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import dateformat, timezone
from playwright.sync_api import Page, expect

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import enrol_totp, make_staff
from peritus.certification.models import Certificate
from peritus.certification.services.renewal import renewed_expiry
from peritus.recertification.models import Submission
from peritus.recertification.tests.factories import PDF_BYTES, make_holder, make_valid_certificate

REVIEWER_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
DECIDER_SECRET = "IRSWG2LEMVZESZDFMNUWIZLSIRSWG2LE"
MANAGER_SECRET = "NVQW4YLHMVZG2YLOMFTWK4TNMFXGCZ3F"


def staff(role: RoleCode, email: str, secret: str) -> User:
    user = make_staff(role, email=email, with_totp=False)
    enrol_totp(user, secret)
    return user


def long_date(day: dt.date) -> str:
    return str(dateformat.format(day, "j F Y"))


def test_a_holder_logs_cpd_and_recertifies_and_the_public_sees_the_new_validity(
    page: Page,
    live_server: Any,
    tmp_path: Path,
    sign_in_staff: Callable[..., None],
    sign_in_candidate: Callable[[User], None],
    check_axe: Callable[[Page], None],
) -> None:
    base = live_server.url
    today = timezone.localdate()
    holder = make_holder(email="kim@peritus.example", given_names="Kim", family_name="Varga")
    # Effective 34 months ago: a 36-month certificate whose 6-month window is open now.
    start = today.replace(day=1) - dt.timedelta(days=34 * 30)
    certificate = make_valid_certificate(holder=holder, valid_from=start.replace(day=1))
    reviewer = staff(RoleCode.ELIGIBILITY_REVIEWER, "rita@peritus.example", REVIEWER_SECRET)
    decider = staff(RoleCode.DECISION_MAKER, "dirk@peritus.example", DECIDER_SECRET)
    evidence = tmp_path / "attendance.pdf"
    evidence.write_bytes(PDF_BYTES)

    # The holder sees what is due and logs an activity with its evidence.
    user = holder.user
    assert user is not None
    sign_in_candidate(user)
    page.get_by_role("navigation", name="My portal").get_by_role(
        "link", name="Renewals and CPD"
    ).click()
    check_axe(page)
    expect(page.get_by_text("open now")).to_be_visible()
    page.get_by_role("link", name="Log CPD and submit").click()
    check_axe(page)
    page.get_by_role("link", name="Log a CPD activity").click()
    check_axe(page)
    page.get_by_label("Activity").fill("Weld defects seminar")
    page.get_by_label("Completed on").fill(today.isoformat())
    page.get_by_label("Hours").fill("8")
    page.get_by_label("Evidence").set_input_files(str(evidence))
    page.get_by_role("button", name="Log the activity").click()
    expect(page.get_by_text("Your activity is logged.")).to_be_visible()
    check_axe(page)

    # … and applies for recertification with the declaration.
    page.get_by_role("link", name="Apply for recertification").click()
    check_axe(page)
    page.get_by_label("I make this declaration").check()
    page.get_by_label("Work log").fill("Inspected welds on two pipeline projects.")
    page.get_by_role("button", name="Submit").click()
    submission = Submission.objects.get(certificate=certificate)
    expect(page.get_by_text(f"Submitted as {submission.reference}")).to_be_visible()
    check_axe(page)

    # The holder gives their training provider's app a token for the CPD API.
    page.get_by_role("navigation", name="My portal").get_by_role("link", name="API tokens").click()
    check_axe(page)
    page.get_by_role("textbox", name=re.compile(r"^Name")).fill("Training provider")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    check_axe(page)
    page.context.clear_cookies()

    # A reviewer checks the evidence and recommends.
    sign_in_staff(reviewer, secret=REVIEWER_SECRET)
    page.goto(f"{base}/office/recertification/")
    check_axe(page)
    page.get_by_role("link", name=submission.reference).click()
    check_axe(page)
    page.get_by_label("Evidence complete: recommend").check()
    page.get_by_label("What you checked and found").fill("Attendance certificate matches.")
    verdict = page.get_by_label(re.compile("Evidence of “Weld defects seminar”"))
    verdict.select_option("accepted")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Your review is recorded.")).to_be_visible()
    check_axe(page)
    page.context.clear_cookies()

    # An independent decision maker recertifies.
    sign_in_staff(decider, secret=DECIDER_SECRET)
    page.goto(f"{base}/office/recertification/{submission.reference}/")
    check_axe(page)
    page.get_by_label("Recertify").check()
    page.get_by_label("Rationale").fill("CPD and work log meet the scheme; evidence checked.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The decision is recorded and the holder told.")).to_be_visible()
    check_axe(page)
    page.context.clear_cookies()

    # Anyone checking the number sees the new validity at once.
    renewed = Certificate.objects.get(pk=certificate.pk)
    assert renewed.expires_on == renewed_expiry(certificate.expires_on, 36)
    page.goto(f"{base}/verify/{certificate.number}/")
    check_axe(page)
    expect(page.get_by_text(long_date(renewed.expires_on)).first).to_be_visible()


def test_the_scheme_manager_sets_the_recertification_rules(
    page: Page,
    live_server: Any,
    sign_in_staff: Callable[..., None],
    check_axe: Callable[[Page], None],
) -> None:
    certificate = make_valid_certificate(holder=make_holder(email="lee@peritus.example"))
    manager = staff(RoleCode.SCHEME_MANAGER, "mona@peritus.example", MANAGER_SECRET)
    sign_in_staff(manager, secret=MANAGER_SECRET)
    page.get_by_role("link", name="Recertification rules").first.click()
    check_axe(page)
    page.get_by_role("link", name=re.compile(certificate.scheme.name)).click()
    check_axe(page)
    page.get_by_label("CPD categories").fill("technical | Technical | 15\nethics | Ethics | 3")
    page.get_by_label("Share of submissions sampled for audit (%)").fill("25")
    page.get_by_role("button", name="Save the rules").click()
    expect(page.get_by_text("The recertification rules are saved.")).to_be_visible()
    check_axe(page)
