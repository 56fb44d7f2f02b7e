"""The demo's exam statistics: simulated administrations (one on paper), a closed and an overdue
review, an approved Angoff study whose cut is the pass rule, one in round 2; twice, same result."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.verification import verify_chain
from peritus.core.demo import DemoContext
from peritus.itembank import demo
from peritus.itembank.statistics.models import (
    FormAdministration,
    ResponseSource,
    ReviewStatus,
    StandardSettingStudy,
    StatisticsReview,
    StudyStatus,
)
from peritus.itembank.statistics.selectors import get_form_pass_mark, is_released
from peritus.schemes.models import AssessmentComponentKind, CompetenceTask, Scheme
from peritus.schemes.tests.factories import make_component, make_domain, make_scheme, make_version

pytestmark = pytest.mark.django_db


def _scheme(code: str, slug: str, name: str, domains: list[str]) -> Scheme:
    scheme = make_scheme(code=code, slug=slug, name=name)
    version = make_version(scheme=scheme)
    for n, title in enumerate(domains):
        domain = make_domain(version, code=f"D{n + 1}", title=title, weight=Decimal(20), position=n)
        CompetenceTask.objects.create(domain=domain, code=f"T{n + 1}.1", title=f"Apply {title}")
    make_component(version, kind=AssessmentComponentKind.EXAM, name="Examination",
                   max_score=Decimal(100), pass_mark=Decimal(70), duration_minutes=90)  # fmt: skip
    return scheme


def test_the_demo_shows_reviews_and_standard_setting_and_runs_twice() -> None:
    _scheme("CSP", "cloud-security", "Cloud Security Professional",
            ["Concepts", "Data", "Platform", "Applications", "Operations", "Compliance"])  # fmt: skip
    _scheme("WLD", "welding-inspector", "Welding Inspector",
            ["Processes", "Defects", "Testing", "Documentation"])  # fmt: skip
    ctx = DemoContext(log=lambda _: None)
    labels = {
        "item author": RoleCode.ITEM_AUTHOR, "item reviewer": RoleCode.ITEM_REVIEWER,
        "psychometrician": RoleCode.PSYCHOMETRICIAN, "examiner": RoleCode.EXAMINER,
        "second examiner": RoleCode.EXAMINER, "scheme committee member": RoleCode.SCHEME_COMMITTEE,
    }  # fmt: skip
    ctx.users = {label: make_staff(role) for label, role in labels.items()}

    demo.load(ctx)
    counts = (FormAdministration.objects.count(), StatisticsReview.objects.count(),
              StandardSettingStudy.objects.count())  # fmt: skip
    demo.load(ctx)

    assert (FormAdministration.objects.count(), StatisticsReview.objects.count(),
            StandardSettingStudy.objects.count()) == counts  # fmt: skip
    assert FormAdministration.objects.filter(source=ResponseSource.PAPER).count() == 1
    [cloud] = ctx.extra["exam_forms"]["cloud-security"]
    [weld] = ctx.extra["exam_forms"]["welding-inspector"]
    closed = StatisticsReview.objects.get(form=cloud)
    assert closed.status == ReviewStatus.CLOSED
    assert closed.conclusion
    assert closed.reviewer == ctx.users["psychometrician"]
    overdue = StatisticsReview.objects.get(form=weld)
    assert overdue.is_overdue(timezone.localdate())
    approved = StandardSettingStudy.objects.get(form=cloud)
    assert approved.status == StudyStatus.APPROVED
    assert get_form_pass_mark(cloud) == approved.pass_mark
    assert is_released(cloud)
    second_round = StandardSettingStudy.objects.get(form=weld)
    assert (second_round.status, second_round.current_round) == (StudyStatus.ROUND_OPEN, 2)
    judges = {judge.user_id for judge in second_round.judges.all()}
    assert judges == {ctx.users[label].pk for label in ("examiner", "second examiner",
                                                         "item reviewer")}  # fmt: skip
    assert verify_chain().intact
