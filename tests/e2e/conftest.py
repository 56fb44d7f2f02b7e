"""Browser journeys: Debian's Chromium driven by Playwright against the live test server.

Every page a journey visits is checked with axe (no serious or critical violations). A journey
that cannot start its browser fails; nothing here is ever skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from peritus.accounts.models import User
from peritus.accounts.second_factor import current_totp_code
from peritus.accounts.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from fixtures
# are still synchronous and safe here (stack.md, fact 3).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PERITUS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}
# A page that has not answered in 5 s on a loaded 2-core CI machine is slow, not broken: the
# journeys wait up to 15 s for what they expect (a test that never sees it still fails).
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """allauth remembers used TOTP codes per authenticator id; ids repeat after each flush."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"browser tests need Chromium at {CHROMIUM} (make test installs Debian's chromium)"
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


# What Chromium says when a script runs in a document that a navigation is replacing: a click
# on a link returns before the next page has loaded, so the check waits and runs again.
NAVIGATION_IN_FLIGHT = ("documentElement", "Execution context was destroyed", "navigat")


def _run_axe_when_settled(axe: Axe, page: Page) -> Any:
    for attempt in range(10):
        page.wait_for_load_state("load")
        try:
            return axe.run(page)
        except PlaywrightError as error:
            if attempt == 9 or not any(sign in str(error) for sign in NAVIGATION_IN_FLIGHT):
                raise
            page.wait_for_timeout(100)
    raise AssertionError("unreachable")


@pytest.fixture
def check_axe(axe: Axe) -> Callable[[Page], None]:
    """Run axe on the page as it is now; fail on any serious or critical violation."""

    def check(page: Page) -> None:
        results = _run_axe_when_settled(axe, page)
        blocking = [
            v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS
        ]
        if blocking:
            lines = [f"{page.url}:"]
            for violation in blocking:
                targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
                lines.append(
                    f"  [{violation['impact']}] {violation['id']}: {violation['help']} — {targets}"
                )
            pytest.fail("\n".join(lines))

    return check


@pytest.fixture
def visit(page: Page, live_server: Any, check_axe: Callable[[Page], None]) -> Callable[[str], Page]:
    """Open a path on the live server, check it answered below 400, and run axe on it."""

    def go(path: str) -> Page:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status < 400, f"{path} answered {response.status}"
        check_axe(page)
        return page

    return go


@pytest.fixture
def sign_in_candidate(
    page: Page, live_server: Any, check_axe: Callable[[Page], None]
) -> Callable[[User], None]:
    def sign_in(user: User, password: str = TEST_PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        check_axe(page)
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page).to_have_url(re.compile(r"/portal/"))
        check_axe(page)

    return sign_in


@pytest.fixture
def sign_in_staff(
    page: Page, live_server: Any, check_axe: Callable[[Page], None]
) -> Callable[[User], None]:
    """Password, then the TOTP code from the authenticator enrolled by `make_staff`."""

    def sign_in(user: User, password: str = TEST_PASSWORD, secret: str = TEST_TOTP_SECRET) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        check_axe(page)
        page.get_by_label("Code").fill(current_totp_code(secret))
        page.get_by_role("button", name=re.compile("Sign in|Confirm|Verify", re.IGNORECASE)).click()
        expect(page).to_have_url(re.compile(r"/office/"))
        check_axe(page)

    return sign_in
