"""A refused candidate appeals from the portal; an appeals panel member who took no part in the
decision validates, joins the panel, declares no conflict and decides with reasons; the
candidate reads the outcome. Every page visited is checked with axe.

(Proposed for tests/e2e/ by the appeals engineer; it passed against commit c675d4b.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import enrol_totp, make_candidate, make_staff
from peritus.appeals.models import Appeal, AppealOutcome, AppealStatus
from peritus.appeals.tests.factories import refused_file

PANEL_SECRET = "N5TGM2LDMVZHGZLDOJSXIMJSGM2DKNRX"


def test_a_refused_candidate_appeals_and_an_uninvolved_panel_decides(
    page: Page,
    live_server: Any,
    check_axe: Callable[[Page], None],
    sign_in_candidate: Callable[..., None],
    sign_in_staff: Callable[..., None],
) -> None:
    candidate = make_candidate(email="ada@peritus.example", given_names="Ada", family_name="Lind")
    refused = refused_file(candidate)
    member = make_staff(RoleCode.APPEALS_PANEL, email="panel@peritus.example", with_totp=False)
    enrol_totp(member, PANEL_SECRET)

    sign_in_candidate(candidate)
    page.goto(f"{live_server.url}/portal/appeals/")
    check_axe(page)
    page.get_by_role("link", name="Make an appeal").click()
    check_axe(page)
    page.get_by_label(re.compile(refused.decision.reference)).check()
    page.get_by_label("Grounds of the appeal").fill("Page two of my answer was not marked.")
    page.get_by_role("button", name="Send my appeal").click()
    expect(page).to_have_url(re.compile(r"/portal/appeals/AP-"))
    check_axe(page)
    appeal = Appeal.objects.get()
    page.context.clear_cookies()

    sign_in_staff(member, secret=PANEL_SECRET)
    page.goto(f"{live_server.url}/office/appeals/")
    check_axe(page)
    page.get_by_role("link", name=appeal.reference).click()
    check_axe(page)
    page.get_by_role("button", name="Admit: send to a panel").click()
    check_axe(page)
    page.get_by_label("Panel member").select_option(str(member.pk))
    page.get_by_role("button", name="Add to the panel").click()
    page.get_by_label("I have no conflict of interest with the appellant").check()
    page.get_by_role("button", name="Record my declaration").click()
    check_axe(page)
    page.get_by_label("Upheld", exact=True).check()
    page.get_by_label("Reasons, as the appellant will read them").fill(
        "Page two meets the criteria."
    )
    page.get_by_role("button", name="Record the decision").click()
    check_axe(page)
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.DECIDED
    page.context.clear_cookies()

    sign_in_candidate(candidate)
    page.goto(f"{live_server.url}/portal/appeals/{appeal.reference}/")
    check_axe(page)
    expect(page.get_by_text(str(AppealOutcome.UPHELD.label), exact=True)).to_be_visible()
    expect(page.get_by_text("Page two meets the criteria.")).to_be_visible()
