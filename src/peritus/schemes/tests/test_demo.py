"""The demo schemes load with the services, are complete and published, and load only once."""

from __future__ import annotations

import pytest

from peritus.accounts import demo as accounts_demo
from peritus.core.demo import DemoContext
from peritus.schemes import demo
from peritus.schemes.models import Scheme, SchemeVersion, SchemeVersionStatus
from peritus.schemes.selectors import list_missing_parts

pytestmark = pytest.mark.django_db


def test_three_published_schemes_load_once() -> None:
    ctx = DemoContext(log=lambda line: None)
    accounts_demo.load(ctx)

    demo.load(ctx)
    demo.load(ctx)

    assert sorted(ctx.extra["schemes"]) == ["CSP", "MDI", "WLD"]
    assert Scheme.objects.count() == 3
    for version in ctx.extra["scheme_versions"].values():
        assert version.status == SchemeVersionStatus.PUBLISHED
        assert list_missing_parts(version) == []
        assert version.approved_by == ctx.users["scheme committee member"]
        assert version.created_by == ctx.users["scheme manager"]
    welding = ctx.extra["scheme_versions"]["WLD"]
    assert welding.prerequisites.get(code="EXP3").minimum_months == 60
    assert SchemeVersion.objects.get(scheme__code="WLD", version="2024.1").status == "retired"
    assert SchemeVersion.objects.get(scheme__code="CSP", version="2027.1").status == "draft"
