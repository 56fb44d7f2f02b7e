"""The demo loader sets policies, logs CPD and leaves recertifications pending, once."""

from __future__ import annotations

import datetime as dt

import pytest

from peritus.accounts import demo as accounts_demo
from peritus.audit_trail.verification import verify_chain
from peritus.core.demo import DemoContext
from peritus.recertification import demo as recertification_demo
from peritus.recertification.models import (
    CpdActivity,
    RecertificationPolicy,
    Submission,
    SubmissionStatus,
)
from peritus.recertification.tests.factories import (
    at,
    make_holder,
    make_valid_certificate,
    set_hours_required,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)


def demo_world() -> DemoContext:
    ctx = DemoContext(log=lambda line: None)
    with at(TODAY):
        accounts_demo.load(ctx)
        staff = {
            "officer": ctx.users["certification officer"],
            "decided_by": ctx.users["decision maker"],
        }
        candidate = ctx.users["candidate"].person
        make_valid_certificate(holder=candidate, valid_from=TODAY - dt.timedelta(days=100), **staff)
        # Two holders from a previous register (no portal account), in their window.
        for n in range(2):
            holder = make_holder(email=f"legacy{n}@peritus.example")
            holder.user = None
            holder.save(update_fields=["user"])
            legacy = make_valid_certificate(
                holder=holder, valid_from=dt.date(2023, 12, 1 + n), **staff
            )
            set_hours_required(legacy.scheme_version, 30)
    return ctx


def test_the_demo_logs_cpd_and_leaves_recertifications_pending() -> None:
    ctx = demo_world()
    with at(TODAY):
        recertification_demo.load(ctx)

    assert RecertificationPolicy.objects.count() == 3
    assert CpdActivity.objects.filter(certificate__holder__user=ctx.users["candidate"]).count() == 4
    statuses = sorted(Submission.objects.values_list("status", flat=True))
    assert statuses == [SubmissionStatus.REVIEWED, SubmissionStatus.SUBMITTED]
    assert verify_chain().intact


def test_the_demo_changes_nothing_the_second_time() -> None:
    ctx = demo_world()
    with at(TODAY):
        recertification_demo.load(ctx)
        counts = (CpdActivity.objects.count(), Submission.objects.count())
        recertification_demo.load(ctx)

    assert (CpdActivity.objects.count(), Submission.objects.count()) == counts
