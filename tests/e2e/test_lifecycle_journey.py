"""A certificate's life after issue, in the browser: suspension, the public status, the appeal.

A decision maker who took no part in the holder's file suspends the certificate from the office
certificate page (form, confirmation); an anonymous visitor's verification page shows it
suspended, with the date. The holder appeals the suspension from the portal; an appeals officer
validates the appeal and forms the panel, where the page refuses the decision maker who suspended
(they took part) and accepts a member who did not; that member declares no conflict, upholds the
appeal and asks another uninvolved decision maker for the new decision, who reinstates the
certificate; the public sees it valid again and the appellant reads the outcome and its reasons
in the portal. A second journey takes the other decisions after issue through their pages: a
scope reduction (reissued under the same number), a suspension whose deadline is extended and
which shows among the open suspensions, a withdrawal, and another holder's surrender from the
portal; /verify/ and the JSON API show both withdrawn at once. A third suspends a list in bulk:
the preview flags the holder the decision maker declared a conflict with, and the confirmation
suspends the others only. Every page visited is checked with axe. (Logging CPD and recertifying
is the recertification journey's.)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.utils import dateformat, timezone
from playwright.sync_api import Locator, Page, expect

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import enrol_totp, make_staff
from peritus.appeals.models import Appeal, AppealStatus
from peritus.certification.models import Certificate, CertificateStatus
from peritus.impartiality.models import ConflictNature
from peritus.impartiality.services import declare_interests
from peritus.recertification.tests.factories import make_holder, make_valid_certificate
from peritus.schemes.tests.factories import make_published_version

# One second factor per staff member: a TOTP code is never accepted twice.
DECIDER_SECRET = "MRSWG2LEMVZHGZLDOJSXIMRTGQ2TMNZY"
CLERK_SECRET = "MNWGK4TLMNWGK4TLMNWGK4TLMNWGK4TL"
PANEL_SECRET = "OBQW4ZLMOBQW4ZLMOBQW4ZLMOBQW4ZLM"
REINSTATER_SECRET = "N5WWC4TON5WWC4TON5WWC4TON5WWC4TO"

REASONS = "The annual fee is unpaid after two reminders."
CONDITIONS = "Pay the annual fee and send the receipt."
GROUNDS = "I paid the annual fee on time; the bank transfer reached the body's account in March."
PANEL_REASONS = "The bank statement shows the fee was received before the reminder was sent."


def staff(role: RoleCode, email: str, secret: str, *more: RoleCode, **names: str) -> User:
    user = make_staff(role, *more, email=email, with_totp=False, **names)
    enrol_totp(user, secret)
    return user


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def long_date(day: dt.date) -> str:
    """A date as the public verification page writes it (e.g. 25 November 2026)."""
    return str(dateformat.format(day, "j F Y"))


def public_status(page: Page, base: str, number: str) -> tuple[str, str]:
    """The status and its date as the JSON verification API gives them to anyone."""
    answer = page.request.get(f"{base}/api/v1/certificates/{number}/verification")
    assert answer.ok, answer.status
    body = answer.json()
    return body["status"], body["status_since"]


def step_form(page: Page, step: str) -> Locator:
    """One step's form on an appeal's case page (several share labels such as "Note")."""
    return page.locator(f"form[action$='/{step}/']")


def test_staff_suspend_a_certificate_the_public_sees_it_and_the_holder_appeals(
    page: Page,
    live_server: Any,
    sign_in_staff: Callable[..., None],
    sign_in_candidate: Callable[[User], None],
    check_axe: Callable[[Page], None],
) -> None:
    base = live_server.url
    holder = make_holder(email="sam@peritus.example", given_names="Sam", family_name="Berg")
    certificate = make_valid_certificate(holder=holder)
    # Dana decides about certificates and also sits on appeal panels.
    decider = staff(
        RoleCode.DECISION_MAKER,
        "dana@peritus.example",
        DECIDER_SECRET,
        RoleCode.APPEALS_PANEL,
        given_names="Dana",
        family_name="Roth",
    )
    clerk = staff(
        RoleCode.APPEALS_PANEL,
        "paula@peritus.example",
        CLERK_SECRET,
        given_names="Paula",
        family_name="Kern",
    )
    member = staff(
        RoleCode.APPEALS_PANEL,
        "pia@peritus.example",
        PANEL_SECRET,
        given_names="Pia",
        family_name="Nowak",
    )
    reinstater = staff(
        RoleCode.DECISION_MAKER,
        "omar@peritus.example",
        REINSTATER_SECRET,
        given_names="Omar",
        family_name="Haddad",
    )
    today = timezone.localdate()
    deadline = today + dt.timedelta(days=60)

    # A decision maker who took no part in the holder's file suspends the certificate.
    sign_in_staff(decider, secret=DECIDER_SECRET)
    page.goto(f"{base}/office/certificates/{certificate.number}/")
    check_axe(page)
    expect(page.get_by_text("You may not decide about this holder")).to_have_count(0)
    page.get_by_role("link", name="Suspend", exact=True).click()
    expect(page).to_have_url(
        re.compile(rf"/office/certificates/{re.escape(certificate.number)}/suspend/$")
    )
    check_axe(page)
    page.get_by_label("Reasons for the suspension").fill(REASONS)
    page.get_by_label("Conditions for reinstatement").fill(CONDITIONS)
    page.get_by_label("Deadline").fill(deadline.isoformat())
    page.get_by_role("button", name="Continue to the confirmation").click()
    expect(page.get_by_role("heading", name="What will be recorded")).to_be_visible()
    expect(page.get_by_text(CONDITIONS)).to_be_visible()
    check_axe(page)
    page.get_by_role("button", name="Suspend the certificate").click()
    expect(page).to_have_url(re.compile(rf"/office/certificates/{re.escape(certificate.number)}/$"))
    expect(page.get_by_text(f"Certificate {certificate.number} is suspended")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Suspended since {today.isoformat()}")).to_be_visible()
    check_axe(page)
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.SUSPENDED
    sign_out(page)

    # Anyone checking the number sees the suspension and its date at once.
    page.goto(f"{base}/verify/{certificate.number}/")
    check_axe(page)
    expect(page.locator(".verdict .status")).to_have_text("Suspended")
    expect(page.locator(".verdict")).to_contain_text(f"Suspended since {long_date(today)}")
    # … and so does the JSON verification API.
    assert public_status(page, base, certificate.number) == ("suspended", today.isoformat())

    # The holder appeals the suspension from the portal.
    user = holder.user
    assert user is not None
    sign_in_candidate(user)
    page.get_by_role("navigation", name="My portal").get_by_role("link", name="My appeals").click()
    check_axe(page)
    expect(page.get_by_text("You have made no appeal.")).to_be_visible()
    page.get_by_role("link", name="Make an appeal").click()
    check_axe(page)
    page.get_by_label(
        f"Certificate {certificate.number}: suspended since {today.isoformat()}"
    ).check()
    page.get_by_label("Grounds of the appeal").fill(GROUNDS)
    page.get_by_label("What do you ask for?").fill("Reinstate my certificate.")
    page.get_by_role("button", name="Send my appeal").click()
    appeal = Appeal.objects.get(appellant=holder)
    expect(page.get_by_role("heading", name=f"Your appeal {appeal.reference}")).to_be_visible()
    check_axe(page)
    sign_out(page)

    # An appeals officer who took no part validates it and forms the panel.
    sign_in_staff(clerk, secret=CLERK_SECRET)
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Appeals").click()
    check_axe(page)
    page.get_by_role("link", name=appeal.reference).click()
    expect(page.get_by_role("heading", name=f"Appeal {appeal.reference}")).to_be_visible()
    check_axe(page)
    admit = step_form(page, "admit")
    admit.get_by_label("Note").fill("A decision of the body, lodged in time.")
    admit.get_by_role("button", name="Admit: send to a panel").click()
    expect(page.get_by_text("The appeal is admitted and goes to a panel.")).to_be_visible()
    check_axe(page)

    # The decision maker who suspended took part: the page refuses them, with the reason.
    assign = step_form(page, "assign")
    assign.get_by_label("Panel member").select_option(label="Dana Roth")
    assign.get_by_role("button", name="Add to the panel").click()
    expect(step_form(page, "assign").get_by_role("alert")).to_contain_text(
        f"Dana Roth made a decision about the appellant ({certificate.number})."
    )
    check_axe(page)
    expect(page.get_by_text("No panel yet.")).to_be_visible()

    # A member who took no part joins the panel.
    assign = step_form(page, "assign")
    assign.get_by_label("Panel member").select_option(label="Pia Nowak")
    assign.get_by_role("button", name="Add to the panel").click()
    expect(page.get_by_text("The member is on the panel")).to_be_visible()
    expect(page.get_by_text("Pia Nowak · declaration awaited")).to_be_visible()
    check_axe(page)
    sign_out(page)

    # The panel member declares no conflict, then decides with reasons.
    sign_in_staff(member, secret=PANEL_SECRET)
    page.goto(f"{base}/office/appeals/{appeal.reference}/")
    check_axe(page)
    expect(page.get_by_text("you may not validate, hear or decide this appeal")).to_have_count(0)
    declare = step_form(page, "declare")
    declare.get_by_label("I have no conflict of interest with the appellant").check()
    declare.get_by_role("button", name="Record my declaration").click()
    expect(page.get_by_text("Pia Nowak · declared no conflict")).to_be_visible()
    check_axe(page)
    decide = step_form(page, "decide")
    decide.get_by_label("Upheld", exact=True).check()
    decide.get_by_label("Reasons, as the appellant will read them").fill(PANEL_REASONS)
    decide.get_by_role("button", name="Record the decision").click()
    expect(
        page.get_by_text("The decision is recorded and written to the appellant.")
    ).to_be_visible()
    check_axe(page)
    decided = Appeal.objects.get(pk=appeal.pk)
    assert decided.status == AppealStatus.DECIDED
    assert decided.decided_by == member

    # Upheld: the suspension is reversed by a decision maker who took no part.
    new_decision = step_form(page, "new_decision")
    new_decision.get_by_label("Decision maker").select_option(label="Omar Haddad")
    new_decision.get_by_label("What is to be decided again").fill(
        "Reinstate the certificate: the fee was paid in time."
    )
    new_decision.get_by_role("button", name="Request the new decision").click()
    expect(
        page.get_by_text("The new decision is requested from the decision maker.")
    ).to_be_visible()
    check_axe(page)
    sign_out(page)

    sign_in_staff(reinstater, secret=REINSTATER_SECRET)
    page.goto(f"{base}/office/appeals/{appeal.reference}/")
    check_axe(page)
    page.get_by_label("Rationale (for a reinstatement)").fill(
        "Appeal upheld: the fee was received before the reminder; the suspension had no ground."
    )
    page.get_by_role("button", name="Reinstate the certificate").click()
    expect(page.get_by_text("The action is done.")).to_be_visible()
    check_axe(page)
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID
    sign_out(page)

    # The public status is valid again at once.
    page.goto(f"{base}/verify/{certificate.number}/")
    check_axe(page)
    expect(page.locator(".verdict .status")).to_have_text("Valid")
    assert public_status(page, base, certificate.number) == ("valid", today.isoformat())

    # The appellant reads the outcome and its reasons in the portal.
    sign_in_candidate(user)
    page.get_by_role("navigation", name="My portal").get_by_role("link", name="My appeals").click()
    check_axe(page)
    expect(page.get_by_role("row", name=re.compile(re.escape(appeal.reference)))).to_contain_text(
        "Upheld"
    )
    page.get_by_role("link", name=appeal.reference).click()
    check_axe(page)
    outcome = page.get_by_role("region", name="Decision")
    expect(outcome).to_contain_text("Upheld")
    expect(outcome).to_contain_text(PANEL_REASONS)


def test_scope_reduction_withdrawal_and_surrender_show_at_once_in_public(
    page: Page,
    live_server: Any,
    sign_in_staff: Callable[..., None],
    sign_in_candidate: Callable[[User], None],
    check_axe: Callable[[Page], None],
) -> None:
    base = live_server.url
    ada = make_holder(email="ada@peritus.example", given_names="Ada", family_name="Lind")
    ben = make_holder(email="ben@peritus.example", given_names="Ben", family_name="Ortiz")
    withdrawn = make_valid_certificate(holder=ada)
    surrendered = make_valid_certificate(holder=ben)
    decider = staff(
        RoleCode.DECISION_MAKER,
        "dana@peritus.example",
        DECIDER_SECRET,
        given_names="Dana",
        family_name="Roth",
    )
    today = timezone.localdate()

    # A decision maker removes a scope item: the certificate is reissued under its number.
    sign_in_staff(decider, secret=DECIDER_SECRET)
    page.get_by_role("navigation", name="Back office").get_by_role(
        "link", name="Certificates"
    ).click()
    check_axe(page)
    page.get_by_role("link", name=withdrawn.number).click()
    check_axe(page)
    page.get_by_role("link", name="Reduce the scope", exact=True).click()
    check_axe(page)
    page.get_by_label("L2 — Level 2").check()
    page.get_by_label("Reasons for the reduction").fill("No level 2 work in the last two years.")
    page.get_by_role("button", name="Continue to the confirmation").click()
    expect(page.locator("dl.facts")).to_contain_text("L1 Level 1")
    check_axe(page)
    page.get_by_role("button", name="Reduce the scope and reissue").click()
    expect(page.get_by_text("revision 2 is issued")).to_be_visible()
    check_axe(page)
    reduced = Certificate.objects.get(pk=withdrawn.pk)
    assert [item.code for item in reduced.scope_items.all()] == ["L1"]

    # It is suspended, the deadline is extended, and it shows among the open suspensions.
    page.get_by_role("link", name="Suspend", exact=True).click()
    page.get_by_label("Reasons for the suspension").fill(REASONS)
    page.get_by_label("Conditions for reinstatement").fill(CONDITIONS)
    page.get_by_label("Deadline").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Continue to the confirmation").click()
    page.get_by_role("button", name="Suspend the certificate").click()
    expect(page.get_by_text(f"Certificate {withdrawn.number} is suspended")).to_be_visible()
    page.get_by_role("link", name="Extend", exact=True).click()
    check_axe(page)
    later = today + dt.timedelta(days=90)
    page.get_by_label("New deadline").fill(later.isoformat())
    page.get_by_label("Why the deadline moves").fill("The holder asked for time to pay.")
    page.get_by_role("button", name="Continue to the confirmation").click()
    check_axe(page)
    page.get_by_role("button", name="Extend the deadline").click()
    expect(
        page.get_by_text(f"The deadline of the suspension is now {later.isoformat()}")
    ).to_be_visible()
    page.get_by_role("navigation", name="Back office").get_by_role(
        "link", name="Suspensions"
    ).click()
    check_axe(page)
    expect(page.get_by_role("row", name=re.compile(re.escape(withdrawn.number)))).to_contain_text(
        later.isoformat()
    )

    # Then it is withdrawn.
    page.get_by_role("link", name=withdrawn.number).click()
    page.get_by_role("link", name="Withdraw", exact=True).click()
    check_axe(page)
    page.get_by_label("Reasons for the withdrawal").fill("The fee stayed unpaid past the deadline.")
    page.get_by_role("button", name="Continue to the confirmation").click()
    expect(page.locator("dl.facts")).to_contain_text("must stop using the certificate")
    check_axe(page)
    page.get_by_role("button", name="Withdraw the certificate").click()
    expect(page.get_by_text(f"Certificate {withdrawn.number} is withdrawn.")).to_be_visible()
    check_axe(page)
    sign_out(page)

    # The other holder gives their certificate up from the portal.
    ben_user = ben.user
    assert ben_user is not None
    sign_in_candidate(ben_user)
    page.get_by_role("navigation", name="My portal").get_by_role(
        "link", name="My certificates"
    ).click()
    check_axe(page)
    page.get_by_role("link", name=surrendered.number).click()
    check_axe(page)
    page.get_by_role("link", name="Surrender the certificate").click()
    check_axe(page)
    page.get_by_label("Why you give it up (optional)").fill("I have retired.")
    page.get_by_label(
        re.compile("^I understand that the certificate will show as withdrawn")
    ).check()
    page.get_by_role("button", name="Continue to the confirmation").click()
    check_axe(page)
    page.get_by_role("button", name="Give up the certificate").click()
    expect(
        page.get_by_text(f"You have surrendered certificate {surrendered.number}.")
    ).to_be_visible()
    check_axe(page)
    sign_out(page)

    # Anyone checking either number sees the withdrawal and its date at once.
    for certificate in (withdrawn, surrendered):
        page.goto(f"{base}/verify/{certificate.number}/")
        check_axe(page)
        expect(page.locator(".verdict .status")).to_have_text("Withdrawn")
        expect(page.locator(".verdict")).to_contain_text(f"Withdrawn since {long_date(today)}")
        assert public_status(page, base, certificate.number) == ("withdrawn", today.isoformat())


def test_a_bulk_suspension_is_previewed_confirmed_and_keeps_the_rules(
    page: Page,
    live_server: Any,
    sign_in_staff: Callable[..., None],
    check_axe: Callable[[Page], None],
) -> None:
    base = live_server.url
    decider = staff(
        RoleCode.DECISION_MAKER,
        "dana@peritus.example",
        DECIDER_SECRET,
        given_names="Dana",
        family_name="Roth",
    )
    version = make_published_version()
    unpaid = [
        make_valid_certificate(holder=make_holder(email=f"{name}@peritus.example"), version=version)
        for name in ("ada", "ben")
    ]
    # Dana declared a conflict of interest with this holder: she may not suspend them, in a list
    # or not.
    cousin = make_holder(email="cleo@peritus.example")
    hers = make_valid_certificate(holder=cousin, version=version)
    declare_interests(
        actor=decider,
        person=cousin,
        has_conflict=True,
        nature=ConflictNature.RELATIVE,
        details="Cleo is my cousin.",
    )
    today = timezone.localdate()

    sign_in_staff(decider, secret=DECIDER_SECRET)
    page.get_by_role("navigation", name="Back office").get_by_role(
        "link", name="Bulk operations"
    ).click()
    check_axe(page)
    page.get_by_role("link", name="Prepare a list operation").click()
    check_axe(page)
    page.get_by_label("Suspend the listed certificates").check()
    page.get_by_label("Certificate numbers").fill(
        "\n".join(certificate.number for certificate in (*unpaid, hers))
    )
    page.get_by_label("Reasons").fill(REASONS)
    page.get_by_label("Conditions for reinstatement (suspension)").fill(CONDITIONS)
    page.get_by_label("Deadline (suspension)").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Preview").click()

    # The preview: nothing done yet, and the one she may not suspend is flagged with why.
    expect(page.get_by_role("heading", name="Preview: nothing has been done yet")).to_be_visible()
    expect(page.get_by_text("3 certificates are listed; 1 would be refused.")).to_be_visible()
    flagged = page.get_by_role("row", name=re.compile(re.escape(hers.number)))
    expect(flagged).to_contain_text("Would be refused")
    expect(flagged).to_contain_text("You declared a conflict of interest with this")
    check_axe(page)
    assert not Certificate.objects.filter(status=CertificateStatus.SUSPENDED).exists()

    page.get_by_label("I reviewed the list").check()
    page.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.get_by_text("2 done, 1 refused, of 3.")).to_be_visible()
    check_axe(page)
    sign_out(page)

    # The public sees the two suspended at once; the third is untouched.
    for certificate in unpaid:
        page.goto(f"{base}/verify/{certificate.number}/")
        check_axe(page)
        expect(page.locator(".verdict .status")).to_have_text("Suspended")
    page.goto(f"{base}/verify/{hers.number}/")
    check_axe(page)
    expect(page.locator(".verdict .status")).to_have_text("Valid")
