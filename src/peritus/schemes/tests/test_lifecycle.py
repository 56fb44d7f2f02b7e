"""Transition table of the SchemeVersion state machine (docs/domain/schemes.md)."""

from __future__ import annotations

import pytest
from django_fsm import TransitionNotAllowed

from peritus.schemes.models import SchemeVersion, SchemeVersionStatus

S = SchemeVersionStatus
ALLOWED = {
    (S.DRAFT, "approve"): S.APPROVED,
    (S.APPROVED, "reopen"): S.DRAFT,
    (S.APPROVED, "publish"): S.PUBLISHED,
    (S.PUBLISHED, "retire"): S.RETIRED,
}
METHODS = sorted({method for _, method in ALLOWED})


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("method", METHODS)
def test_scheme_version_moves_only_along_the_table(source: str, method: str) -> None:
    version = SchemeVersion(status=source)
    expected = ALLOWED.get((S(source), method))

    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            getattr(version, method)()
    else:
        getattr(version, method)()
        assert version.status == expected


def test_status_cannot_be_assigned_directly() -> None:
    version = SchemeVersion(status=S.DRAFT)
    with pytest.raises(AttributeError):
        version.status = S.PUBLISHED
