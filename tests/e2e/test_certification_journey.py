"""From an eligible candidate to a certificate anyone can verify, in the browser.

An examiner declares no conflict and enters the result; the certification officer releases it; a
decision maker who did not examine the candidate grants certification on the complete file; the
candidate accepts the rules on the use of certificates and marks; the officer issues; the
candidate downloads the PDF; an anonymous visitor verifies the number and sees it valid. A second
journey shows the refusal when the examiner tries to decide. (Applying and the eligibility review
are the applications journey's.) Every page visited is checked with axe.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import enrol_totp, make_candidate, make_staff
from peritus.applications.models import Application
from peritus.applications.tests.factories import make_eligible_application
from peritus.certification.models import Certificate, CertificationDecision
from peritus.exams.models import AssessmentEvent, EventCandidate
from peritus.exams.services import add_candidate, assign_personnel, record_event_held
from peritus.exams.tests.factories import make_event
from peritus.schemes.tests.factories import make_published_version

# One second factor per staff member: a TOTP code is never accepted twice.
OFFICER_SECRET = "N5TGM2LDMVZHGZLDOJSXIMJSGM2DKNRX"
EXAMINER_SECRET = "MV4GC3LJNZSXEZLTMVRXEZLUGEZDGNBV"
DECIDER_SECRET = "MRSWG2LEMVZHGZLDOJSXIMRTGQ2TMNZY"
ISSUER_SECRET = "NFZXG5LFOJZWKY3SMV2DGNBVGY3TQOJQ"


def staff(role: RoleCode, email: str, secret: str, *more: RoleCode) -> User:
    user = make_staff(role, *more, email=email, with_totp=False)
    enrol_totp(user, secret)
    return user


def assessment(
    officer: User, examiner: User
) -> tuple[Application, AssessmentEvent, EventCandidate]:
    """An eligible candidate booked on a held sitting the examiner is assigned to."""
    version = make_published_version(components=1)
    candidate = make_candidate(email="ada@peritus.example", given_names="Ada", family_name="Lind")
    application = make_eligible_application(
        scheme_version=version, person=Person.objects.get(user=candidate)
    )
    event = make_event(officer, version.components.get(code="C1"))
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    entry = add_candidate(actor=officer, event=event, application=application)
    record_event_held(actor=officer, event=event)
    return application, event, entry


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def test_a_candidate_is_certified_and_anyone_verifies_the_certificate(
    page: Page,
    live_server: Any,
    sign_in_staff: Callable[..., None],
    sign_in_candidate: Callable[[User], None],
    check_axe: Callable[[Page], None],
) -> None:
    officer = staff(RoleCode.CERTIFICATION_OFFICER, "olga@peritus.example", OFFICER_SECRET)
    examiner = staff(RoleCode.EXAMINER, "erik@peritus.example", EXAMINER_SECRET)
    decider = staff(RoleCode.DECISION_MAKER, "dana@peritus.example", DECIDER_SECRET)
    issuer = staff(RoleCode.CERTIFICATION_OFFICER, "ivo@peritus.example", ISSUER_SECRET)
    application, event, entry = assessment(officer, examiner)
    candidate = application.person.user
    assert candidate is not None
    base = live_server.url

    # The examiner declares no conflict, then enters the result.
    sign_in_staff(examiner, secret=EXAMINER_SECRET)
    page.goto(f"{base}/office/assessments/{event.pk}/declarations/")
    check_axe(page)
    page.get_by_label("No conflict of interest").check()
    page.get_by_role("button", name="Record my declarations").click()
    page.goto(f"{base}/office/assessments/entries/{entry.pk}/")
    check_axe(page)
    page.get_by_label("Score").fill("86")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_text("Passed")).to_be_visible()
    sign_out(page)

    # The certification officer releases it.
    sign_in_staff(officer, secret=OFFICER_SECRET)
    page.goto(f"{base}/office/assessments/entries/{entry.pk}/")
    page.get_by_role("button", name="Release to the candidate").click()
    sign_out(page)

    # A decision maker who took no part grants certification on the complete file.
    sign_in_staff(decider, secret=DECIDER_SECRET)
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Decisions").click()
    check_axe(page)
    page.get_by_role("link", name="Review the file and decide").click()
    check_axe(page)
    expect(page.get_by_role("heading", name="Evidence chain")).to_be_visible()
    expect(page.get_by_text("You may not decide on this file")).to_have_count(0)
    page.get_by_label("Certification granted").check()
    page.get_by_label("Rationale").fill(
        "Prerequisites verified; the examination was passed and the result released."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Decision D-"))).to_be_visible()
    check_axe(page)
    decision = CertificationDecision.objects.get(application=application)
    sign_out(page)

    # The candidate accepts the rules on the use of certificates and marks.
    sign_in_candidate(candidate)
    page.goto(f"{base}/portal/certificates/")
    check_axe(page)
    page.get_by_role("link", name="Read and accept the rules").click()
    check_axe(page)
    page.get_by_label("I have read these rules and I accept them.").check()
    page.get_by_role("button", name="Accept the rules").click()
    expect(page.get_by_text("Your certificate will be issued shortly")).to_be_visible()
    sign_out(page)

    # A certification officer issues the certificate.
    sign_in_staff(issuer, secret=ISSUER_SECRET)
    page.goto(f"{base}/office/certification/decisions/{decision.reference}/")
    check_axe(page)
    page.get_by_role("button", name="Issue the certificate").click()
    certificate = Certificate.objects.get(decision=decision)
    expect(page.get_by_role("heading", name=f"Certificate {certificate.number}")).to_be_visible()
    check_axe(page)
    sign_out(page)

    # The candidate downloads the PDF.
    sign_in_candidate(candidate)
    page.goto(f"{base}/portal/certificates/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    sign_out(page)

    # Anyone verifies the number.
    page.goto(f"{base}/")
    check_axe(page)
    page.get_by_role("link", name="Verify a certificate").first.click()
    check_axe(page)
    page.get_by_label("Certificate number").fill(certificate.number.lower())
    page.get_by_role("button", name="Check status").click()
    expect(page).to_have_url(re.compile(rf"/verify/{re.escape(certificate.number)}/$"))
    expect(page.locator(".verdict .status")).to_have_text("Valid")
    expect(page.get_by_text("Ada Lind")).to_be_visible()
    check_axe(page)

    # She agreed to be listed: the public register finds her by name.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    check_axe(page)
    page.get_by_label("Name or certificate number").fill("lind")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=certificate.number)).to_be_visible()
    check_axe(page)


def test_the_examiner_cannot_decide_on_their_own_candidate(
    page: Page,
    live_server: Any,
    sign_in_staff: Callable[..., None],
    check_axe: Callable[[Page], None],
) -> None:
    officer = staff(RoleCode.CERTIFICATION_OFFICER, "olga@peritus.example", OFFICER_SECRET)
    examiner = staff(
        RoleCode.EXAMINER, "erik@peritus.example", EXAMINER_SECRET, RoleCode.DECISION_MAKER
    )
    application, event, entry = assessment(officer, examiner)
    from peritus.exams.services import release_result
    from peritus.exams.tests.factories import declare_no_conflict, mark

    declare_no_conflict(examiner, event)
    release_result(actor=officer, result=mark(examiner, entry, 90))

    sign_in_staff(examiner, secret=EXAMINER_SECRET)
    page.goto(
        f"{live_server.url}/office/certification/applications/{application.reference}/decision/"
    )
    check_axe(page)
    expect(page.get_by_text("You may not decide on this file")).to_be_visible()
    expect(page.get_by_text("You examined or marked this candidate").first).to_be_visible()
    page.get_by_label("Certification granted").check()
    page.get_by_label("Rationale").fill("I marked it myself and it was good.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".error-summary")).to_contain_text("You examined or marked this candidate")
    check_axe(page)
    assert not CertificationDecision.objects.filter(application=application).exists()
