from __future__ import annotations

import pytest

from peritus.accounts import demo as accounts_demo
from peritus.accounts.tests.factories import make_candidate
from peritus.appeals import demo as appeals_demo
from peritus.appeals.models import Appeal, AppealStatus
from peritus.appeals.tests.factories import refused_file
from peritus.audit_trail.models import AuditEvent
from peritus.core.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_the_demo_loads_two_appeals_once() -> None:
    ctx = DemoContext(log=lambda line: None)
    accounts_demo.load(ctx)
    refused_file(make_candidate())

    appeals_demo.load(ctx)
    events = AuditEvent.objects.count()
    appeals_demo.load(ctx)

    assert sorted(Appeal.objects.values_list("status", flat=True)) == [
        AppealStatus.DECIDED,
        AppealStatus.UNDER_REVIEW,
    ]
    assert AuditEvent.objects.count() == events
