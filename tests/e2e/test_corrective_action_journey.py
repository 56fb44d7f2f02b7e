"""A corrective action from an audit finding to its closure, in the browser.

The quality manager raises it, records the root cause and plans an action owned by an internal
auditor, who records it done from their list; the auditor may not check their own work, so top
management checks its effectiveness and a quality manager closes it. Every page is checked
with axe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import enrol_totp, make_staff
from peritus.qms.models import ActionStatus, CorrectiveAction

MANAGER_SECRET = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43V"
AUDITOR_SECRET = "ONSWG4TFORZWK3DFMN2HE33OEBQXK5DP"
DIRECTOR_SECRET = "MRUXEZLDORXXEIDDNBSWG23TEBUXI4ZA"
CLOSER_SECRET = "MNWG643FOIQGC3TPORUGK4RAMZQWGZLS"


def staff(role: RoleCode, email: str, secret: str) -> User:
    user = make_staff(role, email=email, with_totp=False)
    enrol_totp(user, secret)
    return user


def test_an_audit_finding_is_corrected_checked_by_someone_else_and_closed(
    page: Page,
    live_server: Any,
    sign_in_staff: Callable[..., None],
    check_axe: Callable[[Page], None],
) -> None:
    manager = staff(RoleCode.QUALITY_MANAGER, "helga@peritus.example", MANAGER_SECRET)
    auditor = staff(RoleCode.INTERNAL_AUDITOR, "marco@peritus.example", AUDITOR_SECRET)
    director = staff(RoleCode.TOP_MANAGEMENT, "clara@peritus.example", DIRECTOR_SECRET)
    # A TOTP code is never accepted twice: a second quality manager closes.
    closer = staff(RoleCode.QUALITY_MANAGER, "lena@peritus.example", CLOSER_SECRET)
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

    sign_in_staff(manager, secret=MANAGER_SECRET)
    page.goto(f"{live_server.url}/office/quality/corrective-actions/")
    check_axe(page)
    page.get_by_role("link", name="Raise an action").click()
    check_axe(page)
    page.get_by_role("combobox", name="Source").select_option("internal_audit")
    page.get_by_label("Source reference").fill("Internal audit 2026-1, finding 3")
    page.get_by_label("Title").fill("Exam papers left unattended")
    page.get_by_label("The nonconformity").fill("Papers were left in an unlocked room.")
    page.get_by_role("combobox", name="Owner").select_option(str(manager.pk))
    page.get_by_label("To be closed by").fill(due)
    page.get_by_role("button", name="Raise the action").click()
    check_axe(page)
    action = CorrectiveAction.objects.get()
    page.get_by_role("textbox", name="Root cause").fill(
        "No procedure for the keys of the exam room."
    )
    page.get_by_role("button", name="Record the root cause").click()
    page.locator("#id_description").fill("Write a key procedure and train the staff")
    page.get_by_role("combobox", name="Owner").select_option(str(auditor.pk))
    page.locator("#id_due_on").fill(due)
    page.get_by_role("button", name="Plan the action").click()
    check_axe(page)
    page.context.clear_cookies()

    sign_in_staff(auditor, secret=AUDITOR_SECRET)
    page.goto(f"{live_server.url}/office/quality/corrective-actions/{action.reference}/")
    page.get_by_label("What was done").fill("Procedure issued; staff trained.")
    page.get_by_role("button", name="Record as done").click()
    check_axe(page)
    expect(
        page.get_by_text("You implemented actions here: someone who implemented none")
    ).to_be_visible()
    page.context.clear_cookies()

    sign_in_staff(director, secret=DIRECTOR_SECRET)
    page.goto(f"{live_server.url}/office/quality/corrective-actions/{action.reference}/")
    page.get_by_label("Yes: effective").check()
    page.get_by_label("What was checked, and the finding").fill("Three checks: room locked.")
    page.get_by_role("button", name="Record the check").click()
    check_axe(page)
    page.context.clear_cookies()

    sign_in_staff(closer, secret=CLOSER_SECRET)
    page.goto(f"{live_server.url}/office/quality/corrective-actions/{action.reference}/")
    page.get_by_label("Closure summary").fill("The procedure works.")
    page.get_by_role("button", name="Close the action").click()
    expect(page.get_by_text("The corrective action is closed.")).to_be_visible()
    check_axe(page)
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED
