from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, InternalError, OperationalError, ProgrammingError, transaction

from peritus.accounts.models import User
from peritus.audit_trail.guard import audit_guard_opened
from peritus.audit_trail.models import AuditEvent, AuditEventLink
from peritus.audit_trail.services import record_event
from peritus.audit_trail.verification import verify_chain

pytestmark = pytest.mark.django_db

DATABASE_REFUSALS = (IntegrityError, InternalError, OperationalError, ProgrammingError)


def write_events(actor: User | None, count: int) -> list[AuditEvent]:
    events = []
    for index in range(count):
        with transaction.atomic():
            events.append(
                record_event(
                    "tests.thing.done", actor=actor, reason=f"step {index}", data={"n": index}
                )
            )
    return events


def test_an_untouched_chain_verifies_with_its_count(candidate: User) -> None:
    write_events(candidate, 5)

    report = verify_chain()

    assert report.intact
    assert report.count == AuditEvent.objects.count() >= 5


def test_the_database_refuses_to_update_an_event(candidate: User) -> None:
    event = write_events(candidate, 1)[0]

    with pytest.raises(DATABASE_REFUSALS), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")

    assert AuditEvent.objects.get(pk=event.pk).reason == "step 0"


def test_the_database_refuses_to_delete_an_event(candidate: User) -> None:
    event = write_events(candidate, 1)[0]

    with pytest.raises(DATABASE_REFUSALS), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_edited_event_is_named_as_the_first_broken_one(candidate: User) -> None:
    events = write_events(candidate, 4)
    with audit_guard_opened():
        AuditEvent.objects.filter(pk=events[2].pk).update(reason="quietly changed")

    report = verify_chain()

    assert not report.intact
    assert report.broken_sequence == events[2].sequence


def test_a_deleted_event_breaks_the_chain(candidate: User) -> None:
    events = write_events(candidate, 4)
    with audit_guard_opened():
        AuditEvent.objects.filter(pk=events[1].pk).delete()

    report = verify_chain()

    assert not report.intact
    assert report.broken_sequence == events[1].sequence


def test_deleting_the_newest_events_is_detected(candidate: User) -> None:
    events = write_events(candidate, 3)
    with audit_guard_opened():
        AuditEvent.objects.filter(pk=events[-1].pk).delete()

    report = verify_chain()

    assert not report.intact
    assert report.broken_sequence == events[-1].sequence


def test_reordered_events_are_detected(candidate: User) -> None:
    first, second = write_events(candidate, 2)
    with audit_guard_opened():
        AuditEvent.objects.filter(pk=first.pk).update(sequence=10_000_000)
        AuditEvent.objects.filter(pk=second.pk).update(sequence=first.sequence)
        AuditEvent.objects.filter(pk=first.pk).update(sequence=second.sequence)

    report = verify_chain()

    assert not report.intact
    assert report.broken_sequence == first.sequence


@pytest.mark.django_db(transaction=True)
def test_record_event_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record_event("tests.thing.done", actor=None)


def test_verify_audit_log_command_reports_count_or_the_broken_event(
    candidate: User, capsys: pytest.CaptureFixture[str]
) -> None:
    events = write_events(candidate, 3)
    call_command("verify_audit_log")
    assert f"intact: {AuditEvent.objects.count()} events" in capsys.readouterr().out

    with audit_guard_opened():
        AuditEvent.objects.filter(pk=events[0].pk).update(payload='{"data":{"n":99},"related":[]}')

    with pytest.raises(CommandError, match=f"broken at event #{events[0].sequence}"):
        call_command("verify_audit_log")


def test_a_batch_of_events_is_chained_one_by_one(candidate: User) -> None:
    from peritus.audit_trail.services import EventSpec, record_events

    write_events(candidate, 2)
    with transaction.atomic():
        batch = record_events(
            [
                EventSpec("tests.thing.done", candidate, candidate, f"bulk {n}", {"n": n})
                for n in range(50)
            ]
        )

    assert [event.sequence for event in batch] == list(
        range(batch[0].sequence, batch[0].sequence + 50)
    )
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(batch))
    assert verify_chain().intact
    assert AuditEventLink.objects.filter(event__in=batch, record_type="accounts.user").count() == 50
