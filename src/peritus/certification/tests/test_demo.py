"""The demo loader decides, issues and imports through the services, once."""

from __future__ import annotations

import pytest

from peritus.accounts import demo as accounts_demo
from peritus.accounts.models import Person
from peritus.accounts.tests.factories import make_candidate
from peritus.applications.tests.factories import make_eligible_application
from peritus.audit_trail.verification import verify_chain
from peritus.certification import demo as certification_demo
from peritus.certification.models import (
    Certificate,
    CertificateVersion,
    CertificationDecision,
    DecisionKind,
    DecisionOutcome,
)
from peritus.core.demo import DemoContext
from peritus.exams import demo as exams_demo
from peritus.impartiality import demo as impartiality_demo
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db


def signed_up() -> Person:
    return Person.objects.get(user=make_candidate())


def test_the_demo_certifies_the_passed_candidates_and_imports_every_status() -> None:
    ctx = DemoContext(log=lambda line: None)
    accounts_demo.load(ctx)
    impartiality_demo.load(ctx)
    version = make_published_version(components=1)
    ctx.extra["eligible_applications"] = [
        make_eligible_application(scheme_version=version, person=signed_up()) for _ in range(30)
    ]
    ctx.extra["schemes"] = {"WLD": version.scheme}
    exams_demo.load(ctx)

    certification_demo.load(ctx)

    decided = CertificationDecision.objects.filter(kind=DecisionKind.ASSESSED)
    assert decided.filter(outcome=DecisionOutcome.GRANT).exists()
    assert decided.filter(outcome=DecisionOutcome.REFUSE).exists()
    assert all(not decision.decided_by_id or decision.decided_by_id in {
        ctx.users["decision maker"].pk, ctx.users["second decision maker"].pk
    } for decision in decided)  # fmt: skip
    issued = Certificate.objects.filter(decision__kind=DecisionKind.ASSESSED)
    assert issued.exists()
    assert CertificateVersion.objects.filter(superseded_at__isnull=False).exists()
    statuses = {c.public_status().status for c in Certificate.objects.all()}
    assert statuses == {"valid", "suspended", "withdrawn", "expired"}
    assert verify_chain().intact


def test_the_demo_changes_nothing_the_second_time() -> None:
    ctx = DemoContext(log=lambda line: None)
    accounts_demo.load(ctx)
    impartiality_demo.load(ctx)
    version = make_published_version(components=1)
    ctx.extra["eligible_applications"] = [
        make_eligible_application(scheme_version=version, person=signed_up()) for _ in range(20)
    ]
    ctx.extra["schemes"] = {"WLD": version.scheme}
    exams_demo.load(ctx)
    certification_demo.load(ctx)
    counts = (Certificate.objects.count(), CertificationDecision.objects.count())

    certification_demo.load(ctx)

    assert (Certificate.objects.count(), CertificationDecision.objects.count()) == counts
