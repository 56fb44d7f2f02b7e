"""The demo bank: a few hundred items in every state, an approved form left for exam delivery."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.core.demo import DemoContext
from peritus.itembank import demo
from peritus.itembank.models import ExamForm, FormStatus, Item, ItemReview, ItemStatus
from peritus.schemes.models import AssessmentComponentKind, CompetenceTask
from peritus.schemes.tests.factories import make_component, make_domain, make_scheme, make_version

pytestmark = pytest.mark.django_db


def test_the_demo_builds_the_cloud_bank_and_an_approved_form_and_runs_twice() -> None:
    scheme = make_scheme(code="CSP", slug="cloud-security", name="Cloud Security Professional")
    version = make_version(scheme=scheme)
    for n, title in enumerate(
        ["Concepts", "Data", "Platform", "Applications", "Operations", "Compliance"]
    ):
        domain = make_domain(version, code=f"D{n + 1}", title=title, weight=Decimal(16), position=n)
        CompetenceTask.objects.create(
            domain=domain, code=f"T{n + 1}.1", title=f"Apply {title.lower()} controls"
        )
    make_component(version, kind=AssessmentComponentKind.EXAM, name="Online examination", max_score=Decimal(100),
                   pass_mark=Decimal(70), duration_minutes=90)  # fmt: skip
    ctx = DemoContext(log=lambda _: None)
    ctx.users = {
        "item author": make_staff(RoleCode.ITEM_AUTHOR),
        "item reviewer": make_staff(RoleCode.ITEM_REVIEWER),
        "psychometrician": make_staff(RoleCode.PSYCHOMETRICIAN),
    }

    demo.load(ctx)
    demo.load(ctx)

    items = Item.objects.filter(bank__scheme=scheme)
    assert items.count() >= 200
    assert set(items.values_list("status", flat=True)) == set(ItemStatus.values)
    assert not ItemReview.objects.filter(reviewer=ctx.users["item author"]).exists()
    assert set(ItemReview.objects.values_list("reviewer", flat=True)) == {
        ctx.users["item reviewer"].pk
    }
    [form] = ctx.extra["exam_forms"]["cloud-security"]
    assert form.status == FormStatus.APPROVED
    assert form.entries.count() == form.blueprint.total_items >= 30
    assert ExamForm.objects.filter(status=FormStatus.IN_REVIEW).count() == 1
