from __future__ import annotations

import pytest

from peritus.certification.selectors import list_certificates_of_person
from peritus.recertification.tests.factories import make_holder, make_valid_certificate

pytestmark = pytest.mark.django_db


def test_a_persons_certificates_and_nobody_elses() -> None:
    holder = make_holder()
    first = make_valid_certificate(holder=holder)
    second = make_valid_certificate(holder=holder)
    make_valid_certificate(holder=make_holder(email="other@peritus.example"))

    found = list(list_certificates_of_person(holder))

    assert {certificate.pk for certificate in found} == {first.pk, second.pk}


def test_no_person_has_no_certificates() -> None:
    assert list(list_certificates_of_person(None)) == []
