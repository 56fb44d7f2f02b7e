from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from peritus.applications.tests.factories import make_eligible_application, make_person
from peritus.certification.models import Certificate, CertificateStatus
from peritus.certification.selectors import REGISTER_PAGE_SIZE
from peritus.certification.tests.factories import make_certificate
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db


def certify(given: str, family: str, *, consent: bool = True, **fields: Any) -> Certificate:
    application = make_eligible_application(
        person=make_person(given_names=given, family_name=family), **fields
    )
    application.register_consent = consent
    application.save(update_fields=["register_consent"])
    return make_certificate(application=application)


def listed(client: Client, **query: str) -> str:
    return client.get("/register/", query).content.decode()


def test_a_consenting_holder_is_found_by_part_of_their_name(client: Client) -> None:
    certificate = certify("Åsa", "Lindqvist")

    page = listed(client, q="lindq")
    by_accentless_name = listed(client, q="asa lind")

    assert certificate.number in page
    assert "Åsa Lindqvist" in page
    assert certificate.number in by_accentless_name


def test_a_holder_who_did_not_consent_is_not_listed_but_still_verifies(client: Client) -> None:
    certificate = certify("Marta", "Quiroga", consent=False)

    assert certificate.number not in listed(client, q="quiroga")
    assert client.get(f"/verify/{certificate.number}/").status_code == 200


def test_the_register_is_searched_by_number(client: Client) -> None:
    certificate = certify("Karl", "Petersen")
    certify("Karla", "Petersen")

    page = listed(client, q=certificate.number.lower())

    assert certificate.number in page
    assert page.count("<tr>") == 2  # the header row and one result


def test_the_register_is_filtered_by_scheme(client: Client) -> None:
    welding = make_published_version()
    other = make_published_version()
    inspector = certify("Noor", "Haddad", scheme_version=welding)
    interpreter = certify("Nadia", "Haddad", scheme_version=other)

    page = listed(client, q="haddad", scheme=welding.scheme.slug)

    assert inspector.number in page
    assert interpreter.number not in page


def test_suspended_holders_are_listed_as_suspended_withdrawn_and_expired_ones_are_not(
    client: Client,
) -> None:
    suspended = certify("Ivo", "Marsh")
    withdrawn = certify("Ines", "Marsh")
    expired = certify("Ida", "Marsh")
    Certificate.objects.filter(pk=suspended.pk).update(status=CertificateStatus.SUSPENDED)
    Certificate.objects.filter(pk=withdrawn.pk).update(status=CertificateStatus.WITHDRAWN)

    with time_machine.travel(expired.expires_on + dt.timedelta(days=1), tick=False):
        after_expiry = listed(client, q="marsh")
    Certificate.objects.filter(pk=expired.pk).update(status=CertificateStatus.EXPIRED)
    page = listed(client, q="marsh")

    assert suspended.number in page
    assert "status-suspended" in page
    assert withdrawn.number not in page
    assert expired.number not in page
    assert expired.number not in after_expiry


def test_a_search_needs_three_letters(client: Client) -> None:
    certify("Bo", "Li")

    page = listed(client, q="li")

    assert "at least three letters" in page


def test_results_are_paginated(client: Client) -> None:
    version = make_published_version()
    for index in range(REGISTER_PAGE_SIZE + 2):
        certify(f"Person{index:02d}", "Pagination", scheme_version=version)

    first = listed(client, q="pagination")
    second = listed(client, q="pagination", page="2")

    assert first.count("status-valid") == REGISTER_PAGE_SIZE
    assert 'rel="next"' in first
    assert second.count("status-valid") == 2
    assert 'rel="prev"' in second


def test_the_register_page_without_a_search_lists_nobody(client: Client) -> None:
    certificate = certify("Zoe", "Hidden")

    page = listed(client)

    assert certificate.number not in page


def test_the_register_is_rate_limited(client: Client, settings: object) -> None:
    settings.PERITUS = {**settings.PERITUS, "VERIFICATION_RATE_LIMIT": "2/m"}  # type: ignore[attr-defined]

    codes = [client.get("/register/", {"q": "anyone"}).status_code for _ in range(3)]

    assert codes == [200, 200, 429]


def test_a_search_costs_the_same_queries_for_one_or_many_results(
    client: Client, django_assert_max_num_queries: object
) -> None:
    version = make_published_version()
    for index in range(6):
        certify(f"Query{index}", "Counting", scheme_version=version)

    with django_assert_max_num_queries(3):  # type: ignore[operator]
        page = listed(client, q="counting")

    assert page.count("status-valid") == 6


@pytest.mark.parametrize("cap", [2, 500])
def test_common_and_rare_names_come_in_the_same_name_order(
    client: Client, monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    from peritus.certification.selectors import register

    version = make_published_version()
    for given in ("Uma", "Ida", "Eva", "Ola"):
        certify(given, "Ordering", scheme_version=version)
    monkeypatch.setattr(register, "REGISTER_CANDIDATE_CAP", cap)

    page = register.search_register(query="ordering")

    assert [entry.holder_name for entry in page.entries] == [
        "Eva Ordering",
        "Ida Ordering",
        "Ola Ordering",
        "Uma Ordering",
    ]
