"""`peritus tick` opens statistics reviews when they are due (R19), idempotently, with the
statistics computed; the interval is set per bank or per form."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.itembank.errors import ItemInputError
from peritus.itembank.jobs import open_statistics_reviews
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import ReviewStatus, ReviewTrigger, StatisticsReview
from peritus.itembank.statistics.schedule import add_months, review_due
from peritus.itembank.statistics.selectors import effective_policy
from peritus.itembank.statistics.services import (
    close_statistics_review,
    open_due_statistics_reviews,
    set_review_policy,
)
from peritus.itembank.tests.statistics_factories import (
    FormSetup,
    make_approved_form,
    record_simulated,
)
from peritus.notifications.models import OutboxMessage
from peritus.psychometrics import PsychometricsError

pytestmark = pytest.mark.django_db


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(6, 0)))


@pytest.fixture
def setup() -> FormSetup:
    return make_approved_form(n_items=5)


def test_months_are_added_to_the_end_of_shorter_months() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 12, 15), 12) == dt.date(2028, 12, 15)


def test_a_review_is_never_due_without_new_administrations() -> None:
    kwargs = {"interval_months": 12, "interval_administrations": 1}
    today = dt.date(2027, 1, 1)

    assert review_due(today=today, baseline=None, administrations_since=3, **kwargs) is None
    assert review_due(today=today, baseline=dt.date(2025, 1, 1), administrations_since=0,
                      **kwargs) is None  # fmt: skip


def test_without_a_policy_the_interval_is_twelve_months(setup: FormSetup) -> None:
    policy = effective_policy(setup.form)

    assert (policy.interval_months, policy.interval_administrations, policy.source) == (
        12, None, "default",
    )  # fmt: skip


def test_the_job_opens_a_review_twelve_months_after_the_first_administration(
    setup: FormSetup,
) -> None:
    first = timezone.localdate()
    record_simulated(setup, candidates=40, administered_on=first)

    assert open_due_statistics_reviews(now=_at(add_months(first, 12) - dt.timedelta(days=1))) == []
    [review] = open_due_statistics_reviews(now=_at(add_months(first, 12)))

    assert review.trigger == ReviewTrigger.INTERVAL
    assert review.opened_by is None
    assert review.analysis is not None
    assert review.analysis.candidate_count == 40
    assert review.due_on == add_months(first, 12) + dt.timedelta(days=30)
    message = OutboxMessage.objects.get(template="itembank_statistics_review_due")
    assert message.recipient_email == setup.psychometrician.email


def test_running_the_job_again_opens_nothing_more(setup: FormSetup) -> None:
    record_simulated(setup, candidates=20)
    later = _at(add_months(timezone.localdate(), 13))

    first_run = open_due_statistics_reviews(now=later)
    second_run = open_due_statistics_reviews(now=later)

    assert (len(first_run), second_run) == (1, [])
    assert StatisticsReview.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=StatisticsEvent.REVIEW_OPENED).count() == 1


def test_a_form_policy_counting_administrations_overrides_the_bank_policy(
    setup: FormSetup,
) -> None:
    set_review_policy(actor=setup.psychometrician, bank=setup.bank, interval_months=24)
    set_review_policy(
        actor=setup.psychometrician, bank=setup.bank, form=setup.form, interval_months=None,
        interval_administrations=2,
    )  # fmt: skip
    record_simulated(setup, candidates=15, seed=1)

    assert open_due_statistics_reviews(now=timezone.now()) == []
    record_simulated(setup, candidates=15, seed=2, prefix="B")
    [review] = open_due_statistics_reviews(now=timezone.now())

    assert review.trigger == ReviewTrigger.ADMINISTRATIONS
    assert effective_policy(setup.form).source == "form"


def test_after_a_closed_review_the_interval_runs_again_and_needs_new_administrations(
    setup: FormSetup,
) -> None:
    record_simulated(setup, candidates=25)
    [review] = open_due_statistics_reviews(now=_at(add_months(timezone.localdate(), 12)))
    close_statistics_review(
        actor=setup.psychometrician, review=review, conclusion="accepted", summary="Fine."
    )
    much_later = _at(add_months(timezone.localdate(), 30))

    assert open_due_statistics_reviews(now=much_later) == []  # nothing new to review
    next_sitting = add_months(timezone.localdate(), 20)
    with time_machine.travel(_at(next_sitting), tick=False):
        record_simulated(setup, candidates=25, seed=4, prefix="N", administered_on=next_sitting)
    assert len(open_due_statistics_reviews(now=much_later)) == 1


def test_a_review_whose_statistics_cannot_be_computed_still_opens_and_says_why(
    setup: FormSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PsychometricsError("constant_scores", "every candidate has the same total score")

    monkeypatch.setattr("peritus.itembank.statistics.services.analyses.analyze_exam", refuse)
    set_review_policy(
        actor=setup.psychometrician, bank=setup.bank, interval_months=None,
        interval_administrations=1, model="none",
    )  # fmt: skip
    record_simulated(setup, candidates=4)

    [review] = open_due_statistics_reviews(now=timezone.now())

    assert review.analysis is None
    assert review.analysis_problem == "every candidate has the same total score"


def test_a_model_that_cannot_be_fitted_falls_back_to_classical_statistics_with_a_note(
    setup: FormSetup,
) -> None:
    set_review_policy(
        actor=setup.psychometrician, bank=setup.bank, interval_months=None,
        interval_administrations=1, model="2pl",
    )  # fmt: skip
    record_simulated(setup, candidates=1)  # one candidate: no item varies, no 2PL to fit

    [review] = open_due_statistics_reviews(now=timezone.now())

    assert review.analysis is not None
    assert review.analysis.model_used == "none"
    assert any("could not be fitted" in note for note in review.analysis.report["notes"])


def test_tick_with_now_opens_the_due_review_once(setup: FormSetup) -> None:
    record_simulated(setup, candidates=30)
    when = add_months(timezone.localdate(), 12).isoformat()
    out = io.StringIO()

    call_command("tick", "--now", when, "--job", "itembank-statistics-reviews", stdout=out)
    call_command("tick", "--now", when, "--job", "itembank-statistics-reviews", "--force",
                 stdout=out)  # fmt: skip

    assert "1 statistics review(s) opened" in out.getvalue()
    assert "0 statistics review(s) opened" in out.getvalue()
    assert StatisticsReview.objects.filter(status=ReviewStatus.OPEN).count() == 1


def test_the_job_summary_names_the_forms(setup: FormSetup) -> None:
    record_simulated(setup, candidates=10)

    summary = open_statistics_reviews(_at(add_months(timezone.localdate(), 12)))

    assert summary == f"1 statistics review(s) opened: {setup.form.code}"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"interval_months": None, "interval_administrations": None}, "interval_required"),
        ({"interval_months": 99}, "invalid_interval"),
        ({"interval_months": 12, "completion_days": 0}, "invalid_interval"),
        ({"interval_months": 12, "model": "3pl"}, "invalid_model"),
        ({"interval_months": 12, "dif_grouping": "height"}, "invalid_grouping"),
        ({"interval_months": 12, "thresholds": {"p_min": 2}}, "bad_thresholds"),
    ],
)
def test_a_policy_must_make_sense(setup: FormSetup, kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(ItemInputError) as error:
        set_review_policy(actor=setup.psychometrician, bank=setup.bank, **kwargs)  # type: ignore[arg-type]

    assert error.value.code == code


def test_setting_a_policy_is_audited_and_kept_in_history(setup: FormSetup) -> None:
    policy = set_review_policy(
        actor=setup.psychometrician, bank=setup.bank, interval_months=6,
        thresholds={"p_min": 0.25},
    )  # fmt: skip
    set_review_policy(actor=setup.psychometrician, bank=setup.bank, interval_months=9)

    assert policy.history.count() == 2
    assert AuditEvent.objects.filter(event_type=StatisticsEvent.POLICY_SET).count() == 2
    assert effective_policy(setup.form).interval_months == 9


def test_only_a_psychometrician_sets_the_policy(setup: FormSetup) -> None:
    with pytest.raises(DomainError) as error:
        set_review_policy(
            actor=make_staff(RoleCode.SCHEME_MANAGER, scheme=setup.scheme), bank=setup.bank,
            interval_months=12,
        )  # fmt: skip

    assert error.value.code == "role_not_held"


def test_a_job_catching_up_on_a_past_day_reviews_what_was_known_that_day(
    setup: FormSetup,
) -> None:
    today = timezone.localdate()
    record_simulated(setup, candidates=20, administered_on=today - dt.timedelta(days=400))
    record_simulated(setup, candidates=30, seed=2, prefix="L", administered_on=today)
    that_day = today - dt.timedelta(days=20)

    [review] = open_due_statistics_reviews(now=_at(that_day))

    assert review.opened_on == that_day
    assert review.due_on == that_day + dt.timedelta(days=30)
    assert review.analysis is not None
    assert review.analysis.candidate_count == 20
