from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command

from peritus.scheduling import registry
from peritus.scheduling.models import JobRun
from peritus.scheduling.services import run_due_jobs

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC)
calls: list[dt.datetime] = []


@pytest.fixture
def counting_job() -> Iterator[None]:
    calls.clear()

    @registry.register_job("tests-counting", every=dt.timedelta(hours=1))
    def counting(now: dt.datetime) -> str:
        calls.append(now)
        return f"ran for {now:%H:%M}"

    yield
    registry._jobs.pop("tests-counting")


@pytest.fixture
def failing_job() -> Iterator[None]:
    @registry.register_job("tests-failing", every=dt.timedelta(hours=1))
    def failing(now: dt.datetime) -> str:
        raise ValueError("the mail server said no")

    yield
    registry._jobs.pop("tests-failing")


@pytest.mark.usefixtures("counting_job")
def test_a_job_runs_once_per_interval_with_the_time_it_was_given() -> None:
    run_due_jobs(now=NOW, only=["tests-counting"])
    run_due_jobs(now=NOW + dt.timedelta(minutes=30), only=["tests-counting"])
    run_due_jobs(now=NOW + dt.timedelta(hours=1), only=["tests-counting"])

    assert calls == [NOW, NOW + dt.timedelta(hours=1)]
    assert JobRun.objects.filter(job_name="tests-counting", succeeded=True).count() == 2


@pytest.mark.usefixtures("counting_job")
def test_tick_prints_what_each_job_did(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("tick", "--now", "2027-03-01T02:00:00+00:00", "--job", "tests-counting")

    output = capsys.readouterr().out
    assert "tick at 2027-03-01T02:00:00+00:00" in output
    assert "tests-counting" in output
    assert "ran for 02:00" in output


@pytest.mark.usefixtures("counting_job", "failing_job")
def test_a_failing_job_is_reported_and_does_not_stop_the_others(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(CommandError, match="tests-failing"):
        call_command(
            "tick",
            "--now",
            "2027-03-01T02:00:00+00:00",
            "--job",
            "tests-failing",
            "--job",
            "tests-counting",
        )

    assert calls == [NOW]
    run = JobRun.objects.get(job_name="tests-failing")
    assert not run.succeeded
    assert "the mail server said no" in run.summary


def test_an_unknown_job_or_a_bad_date_is_refused_with_a_reason() -> None:
    with pytest.raises(CommandError, match="unknown job nope"):
        call_command("tick", "--job", "nope")
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("tick", "--now", "yesterday")


def test_the_registry_starts_with_outbox_retry_and_audit_chain_verification() -> None:
    names = {job.name for job in registry.registered_jobs()}

    assert {"outbox-retry", "audit-chain-verification"} <= names
