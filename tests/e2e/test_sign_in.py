"""Signing in as a candidate and as staff with a second factor; axe on every page visited."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_candidate, make_staff


def test_candidate_signs_in_and_reaches_only_the_portal(
    page: Page,
    live_server: Any,
    sign_in_candidate: Callable[[User], None],
    visit: Callable[[str], Page],
) -> None:
    candidate = make_candidate(
        email="ada@peritus.example", given_names="Ada", family_name="Lindqvist"
    )

    sign_in_candidate(candidate)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Ada")
    response = page.goto(f"{live_server.url}/office/")
    assert response is not None
    assert response.status == 403


def test_staff_sign_in_asks_for_the_second_factor_then_opens_the_office(
    page: Page, sign_in_staff: Callable[[User], None], visit: Callable[[str], Page]
) -> None:
    officer = make_staff(RoleCode.CERTIFICATION_OFFICER, email="olga@peritus.example")

    sign_in_staff(officer)

    expect(page.get_by_role("heading", level=1)).to_have_text("Back office")
    expect(page.get_by_text("Certification officer")).to_be_visible()


def test_staff_without_a_second_factor_is_sent_to_enrol_before_the_office(
    page: Page, live_server: Any, check_axe: Callable[[Page], None]
) -> None:
    officer = make_staff(
        RoleCode.CERTIFICATION_OFFICER, email="new@peritus.example", with_totp=False
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(officer.email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in", exact=True).click()

    page.goto(f"{live_server.url}/office/")

    # Enrolling a second factor first asks to confirm the password (allauth's reauthentication).
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    check_axe(page)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    check_axe(page)


def test_public_pages_pass_axe(visit: Callable[[str], Page]) -> None:
    for path in ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        visit(path)
