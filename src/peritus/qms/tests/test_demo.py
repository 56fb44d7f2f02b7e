"""The demo loader builds actions at each stage through the services, and twice is once."""

from __future__ import annotations

import pytest

from peritus.accounts import demo as accounts_demo
from peritus.core.demo import DemoContext
from peritus.qms import demo
from peritus.qms.models import ActionStatus, CorrectiveAction

pytestmark = pytest.mark.django_db


def test_the_demo_shows_each_stage_and_loads_idempotently() -> None:
    ctx = DemoContext(log=lambda _line: None)
    accounts_demo.load(ctx)

    demo.load(ctx)
    demo.load(ctx)

    assert sorted(CorrectiveAction.objects.values_list("status", flat=True)) == sorted(
        [ActionStatus.CLOSED, ActionStatus.IN_PROGRESS, ActionStatus.OPEN]
    )
