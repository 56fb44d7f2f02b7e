"""The demo loader builds complaints at each stage through the services; twice is once."""

from __future__ import annotations

import pytest

from peritus.accounts import demo as accounts_demo
from peritus.complaints import demo
from peritus.complaints.models import Complaint, ComplaintStatus
from peritus.core.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_the_demo_shows_each_stage_and_loads_idempotently() -> None:
    ctx = DemoContext(log=lambda _line: None)
    accounts_demo.load(ctx)

    demo.load(ctx)
    demo.load(ctx)

    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert statuses >= {
        ComplaintStatus.RECEIVED,
        ComplaintStatus.CLOSED,
        ComplaintStatus.OUT_OF_SCOPE,
    }
    assert Complaint.objects.count() == 3
