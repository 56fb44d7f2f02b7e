"""An author writes an item, a second person reviews it, and the candidate preview works by keyboard.

Every page visited is checked with axe (no serious or critical violations).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.itembank.models import Item, ItemStatus
from peritus.itembank.tests.factories import make_bank
from peritus.schemes.tests.factories import make_scheme


def test_an_item_is_written_reviewed_by_a_second_person_and_previewed_by_keyboard(
    page: Page,
    live_server: Any,
    sign_in_staff: Callable[[User], None],
    check_axe: Callable[[Page], None],
) -> None:
    scheme = make_scheme(code="CSP", slug="cloud-security", name="Cloud Security Professional")
    bank = make_bank(scheme, slug="cloud-items", name="Cloud security items")
    author = make_staff(RoleCode.ITEM_AUTHOR, scheme=scheme, email="tomas@peritus.example")
    reviewer = make_staff(RoleCode.ITEM_REVIEWER, scheme=scheme, email="lena@peritus.example")

    sign_in_staff(author)
    page.get_by_role("link", name="Item bank").first.click()
    check_axe(page)
    page.get_by_role("link", name="Cloud security items").click()
    check_axe(page)
    page.get_by_role("link", name="Write an item").click()
    check_axe(page)
    page.get_by_label("Identifier").fill("KEYS-100")
    page.get_by_label("Title").fill("Leaked access keys")
    page.get_by_label("Interaction").select_option("single_choice")
    page.get_by_label("Stem").fill(
        "A developer pushed an access key to a public repository.\n\nWhat do you do first?"
    )
    page.get_by_label("Options").fill(
        "A | Email the team\nB | Revoke the key | It stops any use at once\nC | Delete the repository"
    )
    page.get_by_label("Key").fill("B")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("KEYS-100")
    check_axe(page)
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator("h1 .status")).to_have_text("In review")
    check_axe(page)

    page.context.clear_cookies()
    sign_in_staff(reviewer)
    page.goto(f"{live_server.url}/office/itembank/{bank.slug}/items/KEYS-100/")
    check_axe(page)
    page.get_by_label("Approve").check()
    page.get_by_label("Comment").fill("One defensible key; distractors plausible.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("h1 .status")).to_have_text("Approved")
    check_axe(page)
    assert Item.objects.get(identifier="KEYS-100").status == ItemStatus.APPROVED

    page.get_by_role("link", name="Preview as a candidate").click()
    check_axe(page)
    expect(page.get_by_role("group", name="Choose one answer")).to_be_visible()
    page.get_by_label("Email the team").focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Revoke the key")).to_be_checked()
    assert "It stops any use at once" not in page.content(), "rationales never reach candidates"
    expect(page).to_have_url(re.compile(r"/preview/$"))
