"""A candidate reads a scheme, applies with evidence and an accommodation request, and submits;
an eligibility reviewer declares no conflict, sets each prerequisite beside its evidence and finds
the candidate eligible. A scheme version is drafted, approved by another person and published.

Every page visited is checked with axe (no serious or critical violations).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import enrol_totp, make_candidate, make_staff
from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.tests.factories import MINIMAL_PDF
from peritus.schemes.models import SchemeVersion, SchemeVersionStatus
from peritus.schemes.tests.factories import make_complete_version, make_scheme

# Each staff member has their own second factor: allauth never accepts one code twice, and
# users of consecutive journeys may share a primary key after the flush between them.
REVIEWER_SECRET = "OJSXM2LFO5SXELLKN52XE3TFPF4HQ6DY"
MANAGER_SECRET = "NVQW4YLHMVZC22TPOVZG4ZLZPB4HQ6DY"
COMMITTEE_SECRET = "MNXW23LJOR2GKZJNNJXXK4TOMV4XQ6DY"
PUBLISHER_SECRET = "OB2WE3DJONUGK4RNNJXXK4TOMV4XQ6DY"
SECOND_REVIEWER_SECRET = "ONSWG33OMQWXEZLWNFSXOZLSPB4HQ6DY"


def _staff(role: RoleCode, email: str, secret: str) -> User:
    user = make_staff(role, email=email, with_totp=False)
    enrol_totp(user, secret)
    return user


def test_a_candidate_applies_with_evidence_and_is_found_eligible(
    page: Page,
    live_server: Any,
    tmp_path: Path,
    sign_in_candidate: Callable[[User], None],
    sign_in_staff: Callable[[User], None],
    check_axe: Callable[[Page], None],
) -> None:
    scheme = make_scheme(code="WLD", slug="welding-inspector", name="Welding Inspector")
    version = make_complete_version(scheme=scheme, status=SchemeVersionStatus.PUBLISHED)
    candidate = make_candidate(
        email="ada@peritus.example", given_names="Ada", family_name="Lindqvist"
    )
    reviewer = _staff(RoleCode.ELIGIBILITY_REVIEWER, "rui@peritus.example", REVIEWER_SECRET)
    letter = tmp_path / "employer-letter.pdf"
    letter.write_bytes(MINIMAL_PDF)

    page.goto(f"{live_server.url}/schemes/")
    check_axe(page)
    page.get_by_role("link", name="Welding Inspector").click()
    check_axe(page)
    expect(page.get_by_role("heading", name="Requirements to apply")).to_be_visible()

    sign_in_candidate(candidate)
    page.goto(f"{live_server.url}/schemes/welding-inspector/")
    page.get_by_role("link", name="Apply for this certification").click()
    check_axe(page)
    page.get_by_role("button", name="Start my application").click()
    expect(page.get_by_text("Still to do before you submit")).to_be_visible()
    check_axe(page)

    page.get_by_role("link", name="Change my answers").click()
    check_axe(page)
    page.get_by_label("Level 1").check()
    page.get_by_label("Current employer").fill("Baltic Pipe Fabrication")
    page.get_by_label("Education").fill("Vocational diploma in welding, 2012")
    page.get_by_label("Work experience").fill("Weld inspector since 2016")
    page.get_by_role("button", name="Save").click()

    page.get_by_label(re.compile(r"^File\b")).set_input_files(str(letter))
    page.get_by_label("For the requirement").select_option(str(version.prerequisites.get().pk))
    page.get_by_label("What it shows").select_option("experience")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="employer-letter.pdf")).to_be_visible()

    page.get_by_label("Your full name, as your signature").fill("Ada Lindqvist")
    page.get_by_label("I have read the declaration above and I sign it.").check()
    page.get_by_role("button", name="Sign", exact=True).click()
    page.get_by_label("I have read the code of conduct and I will abide by it.").check()
    page.get_by_role("button", name="Accept", exact=True).click()
    page.get_by_label(re.compile("Yes: once certified")).check()
    page.get_by_role("button", name="Record my choice").click()
    check_axe(page)

    page.get_by_role("link", name="Ask for an accommodation").click()
    check_axe(page)
    page.get_by_label("What you need").select_option("extra_time")
    page.get_by_label("Extra time asked for (%)").fill("25")
    page.get_by_label("Why you need it").fill("Dyslexia, assessed in 2019.")
    page.get_by_role("button", name="Send my request").click()

    page.get_by_role("button", name="Submit my application").click()
    expect(page.get_by_text("Nothing is needed from you now")).to_be_visible()
    check_axe(page)
    application = Application.objects.get(person__user=candidate)
    assert application.status == ApplicationStatus.SUBMITTED

    page.context.clear_cookies()
    sign_in_staff(reviewer, secret=REVIEWER_SECRET)  # type: ignore[call-arg]
    page.get_by_role("navigation", name="Back office").get_by_role(
        "link", name=re.compile("^Applications")
    ).click()
    check_axe(page)
    page.get_by_role("link", name=application.reference).click()
    check_axe(page)
    page.get_by_label(re.compile("No: I have no link")).check()
    page.get_by_role("button", name="Declare and take the review").click()
    expect(page.get_by_role("heading", name="Eligibility review")).to_be_visible()
    check_axe(page)
    expect(page.get_by_role("link", name="employer-letter.pdf")).to_be_visible()
    page.get_by_role("group", name="Finding for P").get_by_label("Met", exact=True).check()
    page.get_by_label("Eligible", exact=True).check()
    page.get_by_label(re.compile(r"^Reasons\b")).fill("Ten years of documented inspection work.")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator("h1 + dl .status")).to_have_text("Eligible")
    check_axe(page)

    page.get_by_label("Approve").check()
    page.get_by_label("Arrangements granted").fill("25 % extra time on the written examination")
    page.get_by_label(re.compile(r"^Reasons\b")).fill("Assessment report supports the need.")
    page.get_by_role("button", name="Record the decision").click()
    check_axe(page)
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ELIGIBLE
    assert application.accommodations.get().status == "approved"


def test_a_scheme_version_is_approved_by_another_person_and_published(
    page: Page,
    live_server: Any,
    sign_in_staff: Callable[[User], None],
    check_axe: Callable[[Page], None],
) -> None:
    manager = _staff(RoleCode.SCHEME_MANAGER, "sofia@peritus.example", MANAGER_SECRET)
    committee = _staff(RoleCode.SCHEME_COMMITTEE, "kenji@peritus.example", COMMITTEE_SECRET)
    publisher = _staff(RoleCode.SCHEME_MANAGER, "marta@peritus.example", PUBLISHER_SECRET)
    version = make_complete_version(created_by=manager)
    base = f"/office/schemes/{version.scheme.slug}/versions/{version.pk}/"

    sign_in_staff(manager, secret=MANAGER_SECRET)  # type: ignore[call-arg]
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Schemes").click()
    check_axe(page)
    page.get_by_role("link", name=version.scheme.name).click()
    check_axe(page)
    page.get_by_role("link", name=version.version).click()
    check_axe(page)
    page.get_by_role("link", name="Edit texts and rules").click()
    check_axe(page)
    page.get_by_label("Validity (months)").fill("48")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("link", name="Add a scope item").click()
    check_axe(page)
    page.get_by_label("Code").fill("L3")
    page.get_by_label("Title").fill("Level 3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Level 3", exact=True)).to_be_visible()

    page.context.clear_cookies()
    sign_in_staff(committee, secret=COMMITTEE_SECRET)  # type: ignore[call-arg]
    page.goto(f"{live_server.url}{base}")
    check_axe(page)
    page.get_by_label("Committee decision reference").fill("Minutes 2026-05")
    page.get_by_role("button", name="Approve for the scheme committee").click()
    expect(page.locator("h1 .status")).to_have_text("Approved by the scheme committee")

    page.context.clear_cookies()
    sign_in_staff(publisher, secret=PUBLISHER_SECRET)  # type: ignore[call-arg]
    page.goto(f"{live_server.url}{base}")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("h1 .status")).to_have_text("Published")
    check_axe(page)
    assert SchemeVersion.objects.get(pk=version.pk).validity_months == 48
    page.goto(f"{live_server.url}/schemes/{version.scheme.slug}/")
    check_axe(page)
    expect(page.get_by_text("48 months")).to_be_visible()


def test_the_other_application_pages_pass_axe(
    page: Page,
    live_server: Any,
    visit: Callable[[str], Page],
    sign_in_candidate: Callable[[User], None],
    sign_in_staff: Callable[[User], None],
) -> None:
    from peritus.applications.services import request_more_information, start_review
    from peritus.applications.tests.factories import make_accommodation, make_application

    version = make_complete_version(status=SchemeVersionStatus.PUBLISHED)
    make_complete_version(scheme=version.scheme, status=SchemeVersionStatus.RETIRED)
    candidate = make_candidate(
        email="malik@peritus.example", given_names="Malik", family_name="Osei"
    )
    reviewer = _staff(RoleCode.ELIGIBILITY_REVIEWER, "rui@peritus.example", SECOND_REVIEWER_SECRET)
    application = make_application(
        user=candidate, scheme_version=version, status=ApplicationStatus.SUBMITTED
    )
    make_accommodation(application)
    start_review(actor=reviewer, application=application, has_conflict=False)
    request_more_information(
        actor=reviewer, application=application, message="Upload a dated employer letter."
    )

    visit(f"/schemes/{version.scheme.slug}/versions/")
    sign_in_candidate(candidate)
    visit("/portal/applications/")
    visit(f"/portal/applications/{application.reference}/")
    expect(page.get_by_text("Upload a dated employer letter.").first).to_be_visible()
    visit(f"/portal/applications/{application.reference}/answer/")
    visit(f"/portal/applications/{application.reference}/withdrawal/")

    page.context.clear_cookies()
    sign_in_staff(reviewer, secret=SECOND_REVIEWER_SECRET)  # type: ignore[call-arg]
    visit("/office/applications/?status=all")
    visit("/office/applications/accommodations/")
    visit(f"/office/applications/{application.reference}/")
