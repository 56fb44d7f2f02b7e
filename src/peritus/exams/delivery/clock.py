"""The exam clock: the server's deadline of one attempt, computed from its recorded clock events.

Pure: no database, no wall clock (`now` is a parameter), so hypothesis can prove its properties.
The page only displays what this module computes; the server refuses answers after the deadline
and a scheduled job closes the attempt (ISO/IEC 17024 9.3.2: consistent administration).

The rules:

* the time allowed is the duration plus the approved extra time (rounded up to the second, never
  down), plus every minute an invigilator added;
* while the invigilator pauses the candidate or the whole room, the clock stops: that time is
  credited in full, and overlapping pauses credit their union, never their sum;
* a rest break (an approved accommodation) also stops the clock, up to the break allowance; a
  break beyond the allowance counts as exam time again;
* the attempt expires the first moment the time used reaches the time allowed. Nothing recorded
  after that moment changes the deadline (services refuse such events).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable

ZERO = dt.timedelta(0)


class ClockEventKind(enum.StrEnum):
    START = "start"
    STOP = "stop"
    RESUME = "resume"
    ADD_TIME = "add_time"


class StopReason(enum.StrEnum):
    CANDIDATE = "candidate"  # the invigilator paused this candidate
    ROOM = "room"  # the invigilator paused the whole session
    BREAK = "break"  # a rest break the candidate takes under an approved accommodation


@dataclasses.dataclass(frozen=True)
class ClockEntry:
    """One recorded clock event. `reason` belongs to stop and resume, `added` to add_time."""

    kind: ClockEventKind
    at: dt.datetime
    reason: StopReason | None = None
    added: dt.timedelta = ZERO


@dataclasses.dataclass(frozen=True)
class ClockState:
    """The clock of one attempt at one moment."""

    started_at: dt.datetime | None
    allowed: dt.timedelta  # allotted time plus added time
    used: dt.timedelta  # running time consumed
    credited: dt.timedelta  # stopped time credited to the candidate
    stopped_by: frozenset[StopReason]
    break_left: dt.timedelta
    expired_at: dt.datetime | None  # the deadline, once it has passed
    now: dt.datetime

    @property
    def started(self) -> bool:
        return self.started_at is not None

    @property
    def expired(self) -> bool:
        return self.expired_at is not None

    @property
    def remaining(self) -> dt.timedelta:
        return max(self.allowed - self.used, ZERO)

    @property
    def paused(self) -> bool:
        """Stopped by an invigilator (candidate or room): the deadline is not known yet."""
        return bool(self.stopped_by - {StopReason.BREAK})

    @property
    def on_break(self) -> bool:
        return StopReason.BREAK in self.stopped_by

    @property
    def running(self) -> bool:
        return self.started and not self.expired and not self.stopped_by

    @property
    def deadline(self) -> dt.datetime | None:
        """When the attempt ends if nothing else is recorded; None while paused or not started.

        During a rest break the break's remaining allowance is included: if the candidate stays
        on the break past it, the clock runs again.
        """
        if self.expired_at is not None:
            return self.expired_at
        if self.started_at is None or self.paused:
            return None
        credit = self.break_left if self.on_break else ZERO
        return self.now + credit + self.remaining


def allotted_time(duration_minutes: int, extra_time_percent: int = 0) -> dt.timedelta:
    """The duration with the approved extra time, rounded up to the whole second."""
    if duration_minutes < 1 or extra_time_percent < 0:
        raise ValueError("a duration of at least one minute and no negative extra time")
    hundredths = duration_minutes * 60 * (100 + extra_time_percent)
    return dt.timedelta(seconds=-(-hundredths // 100))


def clock_state(
    entries: Iterable[ClockEntry],
    *,
    allotted: dt.timedelta,
    break_allowance: dt.timedelta,
    now: dt.datetime,
) -> ClockState:
    """The clock at `now` from the entries in recording order (ties keep that order)."""
    ordered = sorted(
        (entry for entry in entries if entry.at <= now), key=lambda entry: entry.at
    )  # sorted() is stable: equal times keep the order they were recorded in
    start = next((e.at for e in ordered if e.kind is ClockEventKind.START), None)
    early = [
        e for e in ordered if e.kind is ClockEventKind.ADD_TIME and (start is None or e.at < start)
    ]
    allowed = allotted + sum((e.added for e in early), ZERO)
    if start is None:
        return ClockState(None, allowed, ZERO, ZERO, frozenset(), break_allowance, None, now)
    used = credited = ZERO
    break_left = break_allowance
    stopped: set[StopReason] = set()
    cursor = start

    def advance(until: dt.datetime) -> dt.datetime | None:
        """Consume the time from the cursor to `until`; return the deadline if it falls inside."""
        nonlocal used, credited, break_left, cursor
        span = until - cursor
        segment_start = cursor
        cursor = until
        if span <= ZERO:
            return None
        if stopped - {StopReason.BREAK}:
            credited += span
            return None
        running = span
        if StopReason.BREAK in stopped:
            covered = min(span, break_left)
            break_left -= covered
            credited += covered
            running = span - covered
            segment_start += covered
        if used + running >= allowed:
            expiry = segment_start + (allowed - used)
            used = allowed
            return expiry
        used += running
        return None

    for entry in ordered:
        if entry.at < start or entry.kind is ClockEventKind.START:
            continue
        expiry = advance(entry.at)
        if expiry is not None:
            return ClockState(
                start, allowed, used, credited, frozenset(stopped), break_left, expiry, now
            )
        if entry.kind is ClockEventKind.STOP and entry.reason is not None:
            stopped.add(entry.reason)
        elif entry.kind is ClockEventKind.RESUME and entry.reason is not None:
            stopped.discard(entry.reason)
        elif entry.kind is ClockEventKind.ADD_TIME:
            allowed += entry.added
    expiry = advance(now)
    return ClockState(start, allowed, used, credited, frozenset(stopped), break_left, expiry, now)
