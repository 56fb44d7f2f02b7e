from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.impartiality.events import ImpartialityEvent
from peritus.impartiality.models import ImpartialityRisk, RiskReview, RiskStatus
from peritus.impartiality.selectors import list_risks, list_risks_due_for_review
from peritus.impartiality.services import (
    close_risk,
    mark_risk_controlled,
    record_risk,
    reopen_risk,
    review_risk,
    update_risk,
)

pytestmark = pytest.mark.django_db


def new_risk(actor: User, *, controls: str = "") -> ImpartialityRisk:
    return record_risk(
        actor=actor, threat="Trainers also examine their own trainees", source="training",
        likelihood=3, impact=4, owner=actor, review_due_on=timezone.localdate() + dt.timedelta(days=90),
        controls=controls,
    )  # fmt: skip


def test_the_quality_manager_records_a_risk_with_a_reference(quality_manager: User) -> None:
    first = new_risk(quality_manager)
    second = new_risk(quality_manager)

    assert (first.reference, second.reference) == ("IR-001", "IR-002")
    assert first.status == RiskStatus.OPEN
    assert first.rating == 12
    assert AuditEvent.objects.filter(event_type=ImpartialityEvent.RISK_RECORDED).count() == 2


def test_only_the_quality_manager_records_risks(committee_member: User) -> None:
    with pytest.raises(DomainError) as error:
        new_risk(committee_member)

    assert error.value.code == "role_not_held"


def test_ratings_run_from_one_to_five(quality_manager: User) -> None:
    with pytest.raises(DomainError) as error:
        record_risk(
            actor=quality_manager, threat="Referral fees", source="referral_fees", likelihood=6,
            impact=1, owner=quality_manager, review_due_on=timezone.localdate(),
        )  # fmt: skip

    assert error.value.code == "rating_out_of_range"


def test_a_risk_cannot_be_closed_without_a_control(quality_manager: User) -> None:
    risk = new_risk(quality_manager)

    with pytest.raises(DomainError) as error:
        close_risk(actor=quality_manager, risk=risk, reason="Seems fine")

    assert error.value.code == "control_required"
    assert ImpartialityRisk.objects.get(pk=risk.pk).status == RiskStatus.OPEN


def test_a_risk_with_its_control_is_controlled_then_closed(quality_manager: User) -> None:
    risk = new_risk(quality_manager)
    update_risk(
        actor=quality_manager, risk=risk, controls="Trainers are never assigned to their trainees",
        reason="Control introduced",
    )  # fmt: skip

    controlled = mark_risk_controlled(actor=quality_manager, risk=risk)
    closed = close_risk(actor=quality_manager, risk=controlled, reason="Training stopped")

    assert closed.status == RiskStatus.CLOSED
    assert closed.closed_at is not None
    assert AuditEvent.objects.filter(event_type=ImpartialityEvent.RISK_CLOSED).exists()


def test_a_controlled_risk_keeps_its_controls(quality_manager: User) -> None:
    risk = mark_risk_controlled(actor=quality_manager, risk=new_risk(quality_manager, controls="X"))

    with pytest.raises(DomainError) as error:
        update_risk(actor=quality_manager, risk=risk, controls="")

    assert error.value.code == "control_required"


def test_a_closed_risk_is_reopened_before_it_changes(quality_manager: User) -> None:
    risk = close_risk(
        actor=quality_manager, risk=new_risk(quality_manager, controls="X"), reason="Done"
    )

    with pytest.raises(DomainError) as error:
        update_risk(actor=quality_manager, risk=risk, likelihood=2)
    assert error.value.code == "risk_closed"

    reopened = reopen_risk(actor=quality_manager, risk=risk, reason="New training contract")
    assert reopened.status == RiskStatus.OPEN
    assert reopened.closed_at is None


def test_an_open_risk_cannot_be_reopened(quality_manager: User) -> None:
    with pytest.raises(DomainError) as error:
        reopen_risk(actor=quality_manager, risk=new_risk(quality_manager), reason="Why")

    assert error.value.code == "invalid_transition"


def test_the_committee_reviews_a_risk_and_sets_the_next_review(
    quality_manager: User, committee_member: User
) -> None:
    risk = new_risk(quality_manager, controls="Separation")
    next_review = timezone.localdate() + dt.timedelta(days=365)

    review = review_risk(
        actor=committee_member, risk=risk, conclusion=RiskReview.Conclusion.ADEQUATE,
        notes="Controls work; no incident this year.", next_review_on=next_review,
    )  # fmt: skip

    assert review.reviewer == committee_member
    assert ImpartialityRisk.objects.get(pk=risk.pk).review_due_on == next_review
    assert AuditEvent.objects.filter(event_type=ImpartialityEvent.RISK_REVIEWED).exists()


def test_inadequate_controls_reopen_a_controlled_risk(
    quality_manager: User, committee_member: User
) -> None:
    risk = mark_risk_controlled(actor=quality_manager, risk=new_risk(quality_manager, controls="X"))

    review_risk(
        actor=committee_member, risk=risk, conclusion=RiskReview.Conclusion.INADEQUATE,
        notes="Two breaches this year.", next_review_on=timezone.localdate() + dt.timedelta(days=30),
    )  # fmt: skip

    assert ImpartialityRisk.objects.get(pk=risk.pk).status == RiskStatus.OPEN


def test_only_the_committee_reviews(quality_manager: User) -> None:
    with pytest.raises(DomainError) as error:
        review_risk(
            actor=quality_manager, risk=new_risk(quality_manager), conclusion="adequate",
            notes="Fine", next_review_on=timezone.localdate() + dt.timedelta(days=30),
        )  # fmt: skip

    assert error.value.code == "role_not_held"


def test_a_review_needs_notes_and_a_future_date(
    quality_manager: User, committee_member: User
) -> None:
    risk = new_risk(quality_manager)
    with pytest.raises(DomainError) as error:
        review_risk(
            actor=committee_member, risk=risk, conclusion="adequate", notes=" ",
            next_review_on=timezone.localdate() + dt.timedelta(days=30),
        )  # fmt: skip
    assert error.value.code == "notes_required"

    with pytest.raises(DomainError) as error:
        review_risk(
            actor=committee_member, risk=risk, conclusion="adequate", notes="Fine",
            next_review_on=timezone.localdate(),
        )  # fmt: skip
    assert error.value.code == "next_review_in_past"


def test_risks_due_for_review_exclude_closed_ones(quality_manager: User) -> None:
    due = record_risk(
        actor=quality_manager, threat="Shared directors", source="governance", likelihood=2,
        impact=5, owner=quality_manager, review_due_on=timezone.localdate() - dt.timedelta(days=1),
        controls="Board minutes",
    )  # fmt: skip
    closed = record_risk(
        actor=quality_manager, threat="Old contract", source="contracts", likelihood=1, impact=1,
        owner=quality_manager, review_due_on=timezone.localdate() - dt.timedelta(days=1),
        controls="Contract ended",
    )  # fmt: skip
    close_risk(actor=quality_manager, risk=closed, reason="Contract ended")

    assert list(list_risks_due_for_review()) == [due]
    assert set(list_risks()) == {due, ImpartialityRisk.objects.get(pk=closed.pk)}


def test_the_register_keeps_the_history_of_each_risk(quality_manager: User) -> None:
    risk = new_risk(quality_manager)
    update_risk(actor=quality_manager, risk=risk, likelihood=1)

    assert list(risk.history.order_by("history_date").values_list("likelihood", flat=True)) == [
        3,
        1,
    ]
