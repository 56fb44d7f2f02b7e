"""Transition tables of the mitigation and risk state machines (unsaved instances)."""

from __future__ import annotations

import pytest
from django_fsm import can_proceed

from peritus.impartiality.models import (
    ConflictMitigation,
    ImpartialityRisk,
    MitigationStatus,
    RiskStatus,
)

MITIGATION_TABLE = [
    (MitigationStatus.PROPOSED, "approve", MitigationStatus.APPROVED),
    (MitigationStatus.PROPOSED, "reject", MitigationStatus.REJECTED),
    (MitigationStatus.APPROVED, "approve", None),
    (MitigationStatus.APPROVED, "reject", None),
    (MitigationStatus.REJECTED, "approve", None),
    (MitigationStatus.REJECTED, "reject", None),
]


@pytest.mark.parametrize(("source", "method", "target"), MITIGATION_TABLE)
def test_mitigation_transitions(source: str, method: str, target: str | None) -> None:
    mitigation = ConflictMitigation(status=source)
    transition = getattr(mitigation, method)

    assert can_proceed(transition) is (target is not None)
    if target is not None:
        transition()
        assert mitigation.status == target


RISK_TABLE = [
    # (source, method, has controls, target or None when refused)
    (RiskStatus.OPEN, "control", True, RiskStatus.CONTROLLED),
    (RiskStatus.OPEN, "control", False, None),
    (RiskStatus.OPEN, "close", True, RiskStatus.CLOSED),
    (RiskStatus.OPEN, "close", False, None),
    (RiskStatus.OPEN, "reopen", True, None),
    (RiskStatus.CONTROLLED, "control", True, RiskStatus.CONTROLLED),
    (RiskStatus.CONTROLLED, "close", True, RiskStatus.CLOSED),
    (RiskStatus.CONTROLLED, "reopen", True, RiskStatus.OPEN),
    (RiskStatus.CLOSED, "control", True, None),
    (RiskStatus.CLOSED, "close", True, None),
    (RiskStatus.CLOSED, "reopen", True, RiskStatus.OPEN),
]


@pytest.mark.parametrize(("source", "method", "controls", "target"), RISK_TABLE)
def test_risk_transitions(source: str, method: str, controls: bool, target: str | None) -> None:
    risk = ImpartialityRisk(status=source, controls="Separate trainers" if controls else "")
    transition = getattr(risk, method)

    assert can_proceed(transition) is (target is not None)
    if target is not None:
        transition()
        assert risk.status == target


def test_the_risk_rating_is_likelihood_times_impact() -> None:
    assert ImpartialityRisk(likelihood=4, impact=3).rating == 12
