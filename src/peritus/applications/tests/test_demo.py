"""The demo applicants load through the services, in every state, and only once."""

from __future__ import annotations

import pytest

from peritus.accounts import demo as accounts_demo
from peritus.applications import demo
from peritus.applications.models import Accommodation, Application, ApplicationStatus
from peritus.audit_trail.verification import verify_chain
from peritus.core.demo import DemoContext
from peritus.schemes import demo as schemes_demo

pytestmark = pytest.mark.django_db


def test_applicants_in_every_state_load_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "PLAN", tuple((status, 3) for status, _ in demo.PLAN))
    ctx = DemoContext(log=lambda line: None)
    accounts_demo.load(ctx)
    schemes_demo.load(ctx)

    demo.load(ctx)
    count = Application.objects.count()
    demo.load(ctx)

    assert Application.objects.count() == count
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(ApplicationStatus.values)
    eligible = ctx.extra["eligible_applications"]
    assert eligible[0].person.user == ctx.users["candidate"]
    assert all(a.status == ApplicationStatus.ELIGIBLE for a in eligible)
    assert ctx.extra["demo_candidates"]
    assert Accommodation.objects.exists()
    assert verify_chain().intact
