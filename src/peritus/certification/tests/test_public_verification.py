from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peritus.accounts.models import User
from peritus.certification import numbers
from peritus.certification.models import Certificate, CertificateStatus, CertificateVersion
from peritus.certification.services import reissue_certificate
from peritus.certification.tests.factories import make_certificate

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {
    "certificate_number",
    "holder_name",
    "scheme",
    "scope",
    "status",
    "status_since",
    "issued_on",
    "expires_on",
}


def api(client: Client, number: str) -> tuple[int, dict[str, Any]]:
    response = client.get(f"/api/v1/certificates/{number}/verification")
    return response.status_code, response.json()


def test_the_json_answer_has_exactly_the_contract_keys(client: Client) -> None:
    certificate = make_certificate()

    status, body = api(client, certificate.number)

    assert status == 200
    assert set(body) == CONTRACT_KEYS
    assert body["certificate_number"] == certificate.number
    assert body["holder_name"] == certificate.holder_name
    assert body["scheme"] == {
        "code": certificate.scheme_version.scheme.code,
        "name": certificate.scheme_version.scheme.name,
        "version": certificate.scheme_version.version,
    }
    assert [line["code"] for line in body["scope"]] == ["L1", "L2"]
    assert body["status"] == "valid"
    assert body["status_since"] == certificate.valid_from.isoformat()
    assert body["issued_on"] == certificate.issued_on.isoformat()
    assert body["expires_on"] == certificate.expires_on.isoformat()


@pytest.mark.parametrize(
    "status", [CertificateStatus.VALID, CertificateStatus.SUSPENDED, CertificateStatus.WITHDRAWN]
)
def test_every_recorded_status_is_shown_with_its_effective_date(
    client: Client, status: str
) -> None:
    since = timezone.localdate() - dt.timedelta(days=3)
    certificate = make_certificate(status=status, status_since=since)

    code, body = api(client, certificate.number)
    page = client.get(f"/verify/{certificate.number}/")

    assert code == 200
    assert (body["status"], body["status_since"]) == (status, since.isoformat())
    assert page.status_code == 200
    assert f"status-{status}" in page.content.decode()


def test_a_certificate_past_its_expiry_date_shows_as_expired_before_the_nightly_job(
    client: Client,
) -> None:
    certificate = make_certificate()

    with time_machine.travel(certificate.expires_on + dt.timedelta(days=1), tick=False):
        _code, body = api(client, certificate.number)
        page = client.get(f"/verify/{certificate.number}/").content.decode()

    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID
    assert body["status"] == "expired"
    assert body["status_since"] == (certificate.expires_on + dt.timedelta(days=1)).isoformat()
    assert "status-expired" in page


def test_a_certificate_is_still_valid_on_its_last_day(client: Client) -> None:
    certificate = make_certificate()

    with time_machine.travel(certificate.expires_on, tick=False):
        _code, body = api(client, certificate.number)

    assert body["status"] == "valid"


def test_a_suspended_certificate_past_its_date_is_expired_and_a_withdrawn_one_stays_withdrawn(
    client: Client,
) -> None:
    suspended = make_certificate(status=CertificateStatus.SUSPENDED)
    withdrawn = make_certificate(status=CertificateStatus.WITHDRAWN)

    with time_machine.travel(suspended.expires_on + dt.timedelta(days=30), tick=False):
        assert api(client, suspended.number)[1]["status"] == "expired"
        assert api(client, withdrawn.number)[1]["status"] == "withdrawn"


def test_a_recorded_expiry_shows_as_expired(client: Client) -> None:
    certificate = make_certificate(status=CertificateStatus.EXPIRED)

    assert api(client, certificate.number)[1]["status"] == "expired"


def test_numbers_typed_loosely_are_found(client: Client) -> None:
    certificate = make_certificate()
    sloppy = certificate.number.lower().replace("-", " ").replace("0", "o")

    code, body = api(client, sloppy)

    assert code == 200
    assert body["certificate_number"] == certificate.number


def test_an_unknown_number_is_a_clear_not_found(client: Client) -> None:
    make_certificate()
    unknown = numbers.format_number("ZZ", 999)

    code, body = api(client, unknown)
    page = client.get(f"/verify/{unknown}/")

    assert (code, body["code"]) == (404, "not_found")
    assert page.status_code == 404
    assert "Certificate not found" in page.content.decode()


def test_a_mistyped_number_is_caught_by_its_check_character(client: Client) -> None:
    certificate = make_certificate()
    last = certificate.number[-1]
    typo = certificate.number[:-1] + ("A" if last != "A" else "B")

    code, body = api(client, typo)
    page = client.get(f"/verify/{typo}/").content.decode()

    assert (code, body["code"]) == (404, "mistyped_number")
    assert "check character" in page


def test_a_superseded_revision_verifies_as_superseded(client: Client, officer: User) -> None:
    certificate = make_certificate(officer=officer)
    certificate.holder.family_name = "Renamed"
    certificate.holder.save()
    reissue_certificate(
        certificate=certificate, actor=officer, reason="name_change", note="Marriage certificate"
    )

    old_code, old = api(client, f"{certificate.number}-R1")
    new_code, new = api(client, certificate.number)
    page = client.get(f"/verify/{certificate.number}-R1/").content.decode()

    assert (old_code, old["status"]) == (200, "superseded")
    assert old["certificate_number"] == f"{certificate.number}-R1"
    assert old["status_since"] == timezone.localdate().isoformat()
    assert (new_code, new["status"], new["certificate_number"]) == (
        200,
        "valid",
        certificate.number,
    )
    assert "Renamed" in str(new["holder_name"])
    assert "Renamed" not in str(old["holder_name"])
    assert "superseded" in page
    assert "status-superseded" in page


def test_an_unknown_revision_is_not_found(client: Client) -> None:
    certificate = make_certificate()

    assert api(client, f"{certificate.number}-R2")[0] == 404


def test_the_qr_seal_is_shown_as_verified(client: Client) -> None:
    certificate = make_certificate()
    seal = CertificateVersion.objects.get(certificate=certificate).seal

    page = client.get(f"/verify/{certificate.number}/", {"t": seal}).content.decode()

    assert "Seal verified" in page


def test_a_seal_of_another_certificate_is_not_verified(client: Client) -> None:
    certificate = make_certificate()
    other = make_certificate()
    seal = CertificateVersion.objects.get(certificate=other).seal

    page = client.get(f"/verify/{certificate.number}/", {"t": seal}).content.decode()

    assert "Seal not verified" in page
    assert "other_certificate" in page


def test_a_tampered_seal_is_not_verified(client: Client) -> None:
    certificate = make_certificate()
    seal = CertificateVersion.objects.get(certificate=certificate).seal
    tampered = seal[:-4] + ("AAAA" if not seal.endswith("AAAA") else "BBBB")

    page = client.get(f"/verify/{certificate.number}/", {"t": tampered}).content.decode()

    assert "Seal not verified" in page
    assert "bad_signature" in page


def test_the_seal_of_a_superseded_revision_verifies_but_says_it_was_superseded(
    client: Client, officer: User
) -> None:
    certificate = make_certificate(officer=officer)
    first_seal = CertificateVersion.objects.get(certificate=certificate).seal
    reissue_certificate(
        certificate=certificate, actor=officer, reason="correction", note="Scope title corrected"
    )

    page = client.get(f"/verify/{certificate.number}/", {"t": first_seal}).content.decode()

    assert "Seal verified" in page
    assert "since been superseded" in page


def test_verification_is_one_query_and_writes_no_session(client: Client) -> None:
    certificate = make_certificate()
    client.get(f"/verify/{certificate.number}/")  # warm the layout cache

    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/verify/{certificate.number}/")
        json_answer = client.get(f"/api/v1/certificates/{certificate.number}/verification")

    assert (page.status_code, json_answer.status_code) == (200, 200)
    assert len(queries) == 2  # one per request
    assert all("certification_certificate" in query["sql"] for query in queries)
    assert not page.cookies
    assert not json_answer.cookies
    assert "no-cache" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex, nofollow"


def test_verification_is_rate_limited_with_a_code(client: Client, settings: object) -> None:
    settings.PERITUS = {**settings.PERITUS, "VERIFICATION_RATE_LIMIT": "3/m"}  # type: ignore[attr-defined]
    certificate = make_certificate()

    answers = [api(client, certificate.number) for _ in range(4)]
    page = client.get(f"/verify/{certificate.number}/")

    assert [code for code, _body in answers] == [200, 200, 200, 429]
    assert answers[-1][1]["code"] == "rate_limited"
    assert page.status_code == 429


def test_verification_shows_no_more_personal_data_than_needed(client: Client) -> None:
    certificate = make_certificate()
    holder = certificate.holder

    page = client.get(f"/verify/{certificate.number}/").content.decode()
    _code, body = api(client, certificate.number)

    assert holder.email not in page
    assert holder.email not in str(body)
    if holder.date_of_birth:
        assert holder.date_of_birth.isoformat() not in str(body)


def test_the_cached_layout_and_the_full_render_give_the_same_page(
    client: Client, officer: User
) -> None:
    certificate = make_certificate()
    anonymous = client.get(f"/verify/{certificate.number}/").content.decode()
    client.force_login(officer)
    signed_in = client.get(f"/verify/{certificate.number}/").content.decode()

    def comparable(html: str) -> str:
        html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
        start, end = html.index('<div class="account-nav">'), html.index("</header>")
        nav_start, nav_end = html.index('<nav class="top-nav"'), html.index("</nav>")
        return html[:nav_start] + html[nav_end:start] + html[end:]

    assert comparable(anonymous) == comparable(signed_in)


def test_the_verify_form_goes_to_the_number_page(client: Client) -> None:
    certificate = make_certificate()

    response = client.get("/verify/", {"number": f"  {certificate.number.lower()} "})
    empty = client.get("/verify/", {"number": ""})

    assert response.status_code == 302
    assert response["Location"] == f"/verify/{certificate.number}/"
    assert empty.status_code == 200
    assert "error-summary" in empty.content.decode()


@pytest.mark.parametrize(
    "junk", ["%00", "a" * 300, "<script>alert(1)</script>", "WI-%2F..%2F", "☃☃☃", "-R-R-R"]
)
def test_any_junk_in_the_number_is_not_found_never_an_error(client: Client, junk: str) -> None:
    page = client.get(f"/verify/{junk}/")
    answer = client.get(f"/api/v1/certificates/{junk}/verification")

    assert page.status_code in (404, 429)
    assert answer.status_code in (404, 429)
    assert "<script>alert" not in page.content.decode()


@time_machine.travel(dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC), tick=False)
def test_the_page_says_as_of_which_day_the_status_is_given(client: Client) -> None:
    certificate = make_certificate()

    page = client.get(f"/verify/{certificate.number}/").content.decode()

    assert "Status as of 1 June 2027" in page
