"""A psychometrician opens a modified-Angoff study of a frozen form; two judges declare their
interests and rate the items in two rounds (round 2 shows round 1's impact data); the cut is
computed, approved by the scheme manager (not the facilitator) and the form released (R18).

Every page visited is checked with axe (no serious or critical violations).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from playwright.sync_api import Browser, Page, expect

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.second_factor import current_totp_code
from peritus.accounts.tests.factories import TEST_PASSWORD, enrol_totp, make_staff
from peritus.itembank.statistics.models import StandardSettingStudy, StudyStatus
from peritus.itembank.statistics.selectors import (
    get_form_pass_mark,
    has_approved_cut_score,
    is_released,
)
from peritus.itembank.tests.statistics_factories import make_approved_form, record_simulated
from peritus.schemes.tests.factories import make_scheme

ITEMS = 4


def _secret(label: str) -> str:
    """A second-factor secret of its own per person (allauth never accepts one code twice)."""
    return base64.b32encode(label.encode().ljust(20, b"-")[:20]).decode()


def _staff(role: RoleCode, scheme: Any, email: str, given: str, family: str) -> User:
    user = make_staff(role, scheme=scheme, with_totp=False, email=email, given_names=given,
                      family_name=family)  # fmt: skip
    enrol_totp(user, _secret(email))
    return user


def _sign_in(
    browser: Browser, live_server: Any, user: User, check_axe: Callable[[Page], None]
) -> Page:
    """A browser window of its own for `user`, signed in with password and TOTP."""
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    check_axe(page)
    page.get_by_label("Code").fill(current_totp_code(_secret(user.email)))
    page.get_by_role("button", name=re.compile("Sign in|Confirm|Verify", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"/office/"))
    check_axe(page)
    return page


def _rate(page: Page, check_axe: Callable[[Page], None], values: list[int], round_: int) -> None:
    for n, value in enumerate(values, start=1):
        page.get_by_label(re.compile(rf"^Item {n}: out of 100")).fill(str(value))
    page.get_by_role("button", name=f"Submit round {round_}").click()
    expect(page.get_by_text(f"You submitted round {round_}.")).to_be_visible()
    check_axe(page)


def test_judges_rate_and_the_cut_is_computed_approved_and_released(
    browser: Browser, live_server: Any, check_axe: Callable[[Page], None]
) -> None:
    scheme = make_scheme(code="CSP", slug="cloud-security", name="Cloud Security Professional")
    priya = _staff(RoleCode.PSYCHOMETRICIAN, scheme, "priya@peritus.example", "Priya", "Raman")
    setup = make_approved_form(n_items=ITEMS, scheme=scheme, psychometrician=priya, code="CSP-E2E")
    record_simulated(setup, candidates=60)
    erik = _staff(RoleCode.EXAMINER, scheme, "erik@peritus.example", "Erik", "Moreau")
    lena = _staff(RoleCode.ITEM_REVIEWER, scheme, "lena@peritus.example", "Lena", "Fischer")
    sofia = _staff(RoleCode.SCHEME_MANAGER, scheme, "sofia@peritus.example", "Sofia", "Marin")
    form_path = f"/office/itembank/{setup.bank.slug}/forms/{setup.form.code}/statistics/"

    # The psychometrician opens the study from the form's statistics.
    facilitator = _sign_in(browser, live_server, priya, check_axe)
    facilitator.goto(f"{live_server.url}{form_path}")
    check_axe(facilitator)
    expect(facilitator.get_by_text("this form cannot go live (R18)")).to_be_visible()
    facilitator.get_by_role("link", name="Open a modified-Angoff study").click()
    check_axe(facilitator)
    facilitator.get_by_label("Erik Moreau").check()
    facilitator.get_by_label("Lena Fischer").check()
    facilitator.get_by_label("The minimally competent candidate").fill(
        "Rotates leaked keys and scopes roles without help; asks about unusual cases."
    )
    facilitator.get_by_label("Also ask judges for Hofstee and Beuk judgements").uncheck()
    facilitator.get_by_role("button", name="Open the study").click()
    expect(facilitator.get_by_role("heading", level=1)).to_contain_text("Modified-Angoff study")
    check_axe(facilitator)
    facilitator.get_by_role("button", name="Open round 1").click()
    expect(facilitator.get_by_text("Round 1 is open.", exact=True)).to_be_visible()
    check_axe(facilitator)
    study = StandardSettingStudy.objects.get(form=setup.form)

    # Each judge declares, then rates round 1 on their own page.
    judges = {}
    for judge, values in ((erik, [60, 70, 75, 80]), (lena, [50, 60, 65, 70])):
        window = _sign_in(browser, live_server, judge, check_axe)
        window.get_by_role("link", name=re.compile("Standard setting")).first.click()
        check_axe(window)
        window.get_by_role("link", name=setup.form.code).click()
        check_axe(window)
        window.get_by_label("I have no interest in the outcome of this form").check()
        window.get_by_role("button", name="Record my declaration").click()
        check_axe(window)
        expect(window.get_by_text("Short-lived credentials").first).to_be_visible()
        _rate(window, check_axe, values, 1)
        judges[judge.pk] = window

    # The facilitator closes round 1; the panel discusses; round 2 opens.
    facilitator.reload()
    facilitator.get_by_role("button", name="Close round 1").click()
    expect(facilitator.get_by_role("heading", name=re.compile("^Round 1"))).to_be_visible()
    check_axe(facilitator)
    facilitator.get_by_label("What the panel discussed after the last round").fill(
        "Items 3 and 4 rated far apart; p-values of the pilot shown."
    )
    facilitator.get_by_role("button", name="Open the next round").click()
    check_axe(facilitator)

    # In round 2 each judge sees round 1's impact data and revises.
    for judge, values in ((erik, [60, 65, 70, 75]), (lena, [55, 65, 70, 70])):
        window = judges[judge.pk]
        window.reload()
        expect(window.get_by_role("heading", name="Impact data of round 1")).to_be_visible()
        expect(window.get_by_text("Pass rate it would give")).to_be_visible()
        check_axe(window)
        _rate(window, check_axe, values, 2)

    # The facilitator closes round 2 and computes the cut; they cannot approve it.
    facilitator.reload()
    facilitator.get_by_role("button", name="Close round 2").click()
    check_axe(facilitator)
    facilitator.get_by_role("button", name="Compute and propose for approval").click()
    expect(facilitator.locator("h1 .status")).to_have_text("Cut score awaiting approval")
    expect(facilitator.get_by_role("heading", name="Decide on the cut score")).to_have_count(0)
    check_axe(facilitator)

    # The scheme manager approves it and releases the form.
    manager = _sign_in(browser, live_server, sofia, check_axe)
    manager.get_by_role("link", name="Exam statistics").first.click()
    check_axe(manager)
    manager.get_by_role("link", name=re.compile(f"Form {setup.form.code}: pass mark")).click()
    check_axe(manager)
    manager.get_by_label("Approve: the form's pass rule").check()
    manager.get_by_label("Comment").fill("Two rounds, judges converged.")
    manager.get_by_role("button", name="Record the decision").click()
    expect(manager.locator("h1 .status")).to_have_text("Approved (the form's pass rule)")
    check_axe(manager)
    manager.get_by_role("button", name="Release the form for use").click()
    expect(manager.get_by_text("The form is released for use.")).to_be_visible()
    check_axe(manager)

    approved = StandardSettingStudy.objects.get(pk=study.pk)
    assert approved.status == StudyStatus.APPROVED
    assert approved.decided_by == sofia
    assert has_approved_cut_score(setup.form)
    assert is_released(setup.form)
    # Round 2 means 62.5 % and 67.5 % and 70 % and 72.5 % of one point each: cut 2.725 -> 3.
    assert get_form_pass_mark(setup.form) == Decimal(3)
    facilitator.goto(f"{live_server.url}{form_path}")
    expect(facilitator.get_by_text("Released for live sittings")).to_be_visible()
    check_axe(facilitator)


def test_paper_sheets_statistics_and_the_review_pages_pass_axe(
    browser: Browser, live_server: Any, check_axe: Callable[[Page], None], tmp_path: Any
) -> None:
    from peritus.itembank.statistics.selectors import form_items_of
    from peritus.itembank.tests.statistics_factories import answers_as_sheets, simulate_answers

    scheme = make_scheme(code="CSP", slug="cloud-security", name="Cloud Security Professional")
    priya = _staff(RoleCode.PSYCHOMETRICIAN, scheme, "priya2@peritus.example", "Priya", "Raman")
    ingrid = _staff(RoleCode.ASSESSOR, scheme, "ingrid@peritus.example", "Ingrid", "Solberg")
    setup = make_approved_form(
        n_items=ITEMS, scheme=scheme, psychometrician=priya, code="CSP-PAPER"
    )
    record_simulated(setup, candidates=150)
    sheets = tmp_path / "sheets.csv"
    sheets.write_bytes(
        answers_as_sheets(setup.form, simulate_answers(setup.form, candidates=40, seed=5))
    )
    bad = tmp_path / "bad.csv"
    header = ",".join(["candidate_id", *(i.identifier for i in form_items_of(setup.form))])
    bad.write_text(f"{header}\nS-1,A,B,C,D\nS-2,Z,B,C,D\n", encoding="utf-8")
    bank_path = f"/office/itembank/{setup.bank.slug}/statistics/"

    page = _sign_in(browser, live_server, priya, check_axe)
    page.goto(f"{live_server.url}{bank_path}")
    check_axe(page)
    page.get_by_role("link", name=setup.form.code).click()
    check_axe(page)
    page.get_by_role("link", name="Record paper answer sheets").click()
    check_axe(page)
    page.get_by_label("Answer sheets (CSV)").set_input_files(str(bad))
    page.get_by_label("Date of the sitting").fill("2026-11-02")
    page.get_by_role("button", name="Record the answer sheets").click()
    expect(page.get_by_role("cell", name="unknown_option")).to_be_visible()
    check_axe(page)
    page.get_by_label("Answer sheets (CSV)").set_input_files(str(sheets))
    page.get_by_label("Date of the sitting").fill("2026-11-02")
    page.get_by_label("Reference").fill("Hall B")
    page.get_by_role("button", name="Record the answer sheets").click()
    expect(page.get_by_text("40 answer sheets recorded.")).to_be_visible()
    check_axe(page)
    page.get_by_label("Differential item functioning (DIF) by").select_option("source")
    page.get_by_role("button", name="Compute the statistics").click()
    expect(page.get_by_role("heading", name="Items", exact=True)).to_be_visible()
    check_axe(page)
    first = form_items_of(setup.form)[0].identifier
    page.get_by_role("link", name=first, exact=True).click()
    expect(page.get_by_role("img", name=re.compile(f"Item {first}"))).to_be_visible()
    check_axe(page)
    page.get_by_role("link", name="Back to the analysis").click()
    page.get_by_role("link", name="Back to the form's statistics").click()
    page.get_by_role("button", name="Open a review now").click()
    check_axe(page)
    page.get_by_label("Accepted: the form performs as intended").check()
    page.get_by_label("Summary of the review").fill("Alpha acceptable; no item flagged.")
    page.get_by_role("button", name="Close the review").click()
    expect(page.get_by_text("The review is closed with its conclusion.")).to_be_visible()
    check_axe(page)
    page.goto(
        f"{live_server.url}/office/itembank/{setup.bank.slug}/forms/{setup.form.code}/statistics/policy/"
    )
    check_axe(page)

    assessor = _sign_in(browser, live_server, ingrid, check_axe)
    assessor.get_by_role("link", name="Exam statistics").first.click()
    check_axe(assessor)
    assessor.get_by_role("link", name=setup.form.code).first.click()
    expect(assessor.get_by_text("Accepted: the form performs as intended")).to_be_visible()
    expect(assessor.get_by_role("heading", name="Record the conclusion")).to_have_count(0)
    check_axe(assessor)
