from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from peritus.accounts import demo as accounts_demo
from peritus.accounts.selectors import get_person_of_user
from peritus.accounts.tests.factories import make_candidate
from peritus.appeals.tests.factories import lodged, refused_file
from peritus.certification.tests.factories import make_certificate
from peritus.compliance import demo as compliance_demo
from peritus.compliance.models import FlagStatus, RetaliationFlag
from peritus.core.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_the_demo_leaves_one_open_flag_once() -> None:
    ctx = DemoContext(log=lambda line: None)
    accounts_demo.load(ctx)
    appellant = make_candidate()
    with time_machine.travel(timezone.now() - dt.timedelta(days=20), tick=False):
        lodged(appellant, refused_file(appellant).decision)
    person = get_person_of_user(appellant)
    assert person is not None
    make_certificate(person=person)

    compliance_demo.load(ctx)
    compliance_demo.load(ctx)

    flag = RetaliationFlag.objects.get()
    assert flag.status == FlagStatus.OPEN
    assert flag.person == person
