"""The reads other contexts rely on (spine contract)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peritus.schemes.models import CombinationRule, Scheme, SchemeVersionStatus
from peritus.schemes.pass_rules import RuleKind, evaluate
from peritus.schemes.selectors import (
    get_current_version,
    get_pass_rule,
    get_scheme_by_slug,
    list_public_schemes,
)
from peritus.schemes.tests.factories import make_complete_version, make_scheme

pytestmark = pytest.mark.django_db


def test_current_version_is_the_published_one() -> None:
    scheme = make_scheme()
    make_complete_version(scheme=scheme, status=SchemeVersionStatus.RETIRED)
    published = make_complete_version(scheme=scheme, status=SchemeVersionStatus.PUBLISHED)
    make_complete_version(scheme=scheme, status=SchemeVersionStatus.DRAFT)

    assert get_current_version(scheme) == published
    assert get_current_version(scheme.pk) == published


def test_a_scheme_without_a_published_version_has_no_current_version_and_is_not_public() -> None:
    scheme = make_scheme()
    make_complete_version(scheme=scheme, status=SchemeVersionStatus.APPROVED)

    assert get_current_version(scheme) is None
    assert scheme not in list_public_schemes()


def test_public_schemes_carry_their_current_version() -> None:
    version = make_complete_version(status=SchemeVersionStatus.PUBLISHED)

    [scheme] = list_public_schemes()

    assert scheme.current_versions == [version]  # type: ignore[attr-defined]


def test_scheme_is_found_by_slug_or_not_at_all() -> None:
    scheme = make_scheme(slug="welding-inspector")

    assert get_scheme_by_slug("welding-inspector") == scheme
    with pytest.raises(Scheme.DoesNotExist):
        get_scheme_by_slug("nothing-here")


def test_pass_rule_is_built_from_the_version_components() -> None:
    version = make_complete_version(
        combination_rule=CombinationRule.COMPENSATORY,
        overall_pass_percent=Decimal(65),
        components=2,
    )

    rule = get_pass_rule(version)

    assert rule.kind == RuleKind.COMPENSATORY
    assert [component.code for component in rule.components] == ["C1", "C2"]
    assert evaluate(rule, {"C1": 60, "C2": 70}).passed
