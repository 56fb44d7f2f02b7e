"""Concurrent writers queue on the chain head: the chain never forks (both databases).

Each thread has its own database connection, as web workers and the task worker do. On SQLite
this also proves that WAL + IMMEDIATE transactions + the busy timeout let writers wait instead of
failing with "database is locked".
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from peritus.audit_trail.models import AuditEvent
from peritus.audit_trail.services import record_event
from peritus.audit_trail.verification import verify_chain
from peritus.notifications.models import OutboxMessage
from peritus.notifications.services import queue_notification

WRITERS = 4
EVENTS_EACH = 25


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_never_fork_the_chain_nor_hit_a_locked_database() -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        try:
            start.wait()
            for index in range(EVENTS_EACH):
                with transaction.atomic():
                    record_event(
                        "tests.thing.done", actor=None, data={"writer": number, "index": index}
                    )
                    queue_notification(
                        template="test_notice", recipient_email=f"w{number}@peritus.example",
                        context={"name": "W", "message": str(index)},
                    )  # fmt: skip
                # a reader between writes, as a web request would be
                AuditEvent.objects.filter(event_type="tests.thing.done").count()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    report = verify_chain()
    assert report.intact, report.problem
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, WRITERS * EVENTS_EACH + 1))
    assert OutboxMessage.objects.count() == WRITERS * EVENTS_EACH
