"""The server's exam clock (pure): the deadline from the recorded clock events."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from peritus.exams.delivery.clock import (
    ClockEntry,
    ClockEventKind,
    StopReason,
    allotted_time,
    clock_state,
)

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
NO_BREAKS = dt.timedelta(0)


def start(at: dt.datetime = T0) -> ClockEntry:
    return ClockEntry(ClockEventKind.START, at)


def stop(at: dt.datetime, reason: StopReason = StopReason.CANDIDATE) -> ClockEntry:
    return ClockEntry(ClockEventKind.STOP, at, reason)


def resume(at: dt.datetime, reason: StopReason = StopReason.CANDIDATE) -> ClockEntry:
    return ClockEntry(ClockEventKind.RESUME, at, reason)


def added(at: dt.datetime, minutes: int) -> ClockEntry:
    return ClockEntry(ClockEventKind.ADD_TIME, at, added=dt.timedelta(minutes=minutes))


seconds = st.integers(min_value=1, max_value=3 * 3600)


def test_twenty_five_percent_extra_time_lengthens_a_sixty_minute_exam_to_seventy_five() -> None:
    assert allotted_time(60, 25) == dt.timedelta(minutes=75)


@given(st.integers(min_value=1, max_value=600), st.integers(min_value=0, max_value=200))
def test_extra_time_is_rounded_up_to_the_second_never_down(minutes: int, percent: int) -> None:
    exact = minutes * 60 * (100 + percent) / 100
    allotted = allotted_time(minutes, percent).total_seconds()

    assert exact <= allotted < exact + 1


def test_before_the_start_there_is_no_deadline() -> None:
    state = clock_state([], allotted=HOUR, break_allowance=NO_BREAKS, now=T0)

    assert (state.started, state.deadline, state.expired) == (False, None, False)


@given(seconds)
def test_without_stops_the_deadline_is_the_start_plus_the_time_allowed(elapsed: int) -> None:
    now = T0 + dt.timedelta(seconds=elapsed)
    state = clock_state([start()], allotted=HOUR, break_allowance=NO_BREAKS, now=now)

    assert state.deadline == T0 + HOUR
    assert state.expired is (elapsed >= 3600)


@given(st.integers(min_value=0, max_value=3599), seconds, st.integers(min_value=0, max_value=600))
def test_a_pause_before_the_deadline_moves_it_by_exactly_the_paused_time(
    paused_at: int, paused_for: int, after: int
) -> None:
    stopped = T0 + dt.timedelta(seconds=paused_at)
    resumed = stopped + dt.timedelta(seconds=paused_for)
    events = [start(), stop(stopped), resume(resumed)]

    state = clock_state(
        events, allotted=HOUR, break_allowance=NO_BREAKS, now=resumed + dt.timedelta(seconds=after)
    )

    assert state.deadline == T0 + HOUR + dt.timedelta(seconds=paused_for)
    assert state.credited == dt.timedelta(seconds=paused_for)


def test_while_paused_the_remaining_time_is_frozen_and_no_deadline_is_set() -> None:
    events = [start(), stop(T0 + dt.timedelta(minutes=10))]

    early = clock_state(events, allotted=HOUR, break_allowance=NO_BREAKS, now=T0 + 2 * HOUR)
    late = clock_state(events, allotted=HOUR, break_allowance=NO_BREAKS, now=T0 + 9 * HOUR)

    assert early.remaining == late.remaining == dt.timedelta(minutes=50)
    assert (early.deadline, early.expired, early.paused) == (None, False, True)


@given(seconds, seconds, seconds)
def test_overlapping_room_and_candidate_pauses_credit_their_union_not_their_sum(
    a: int, b: int, c: int
) -> None:
    room_from = T0 + dt.timedelta(minutes=5)
    candidate_from = room_from + dt.timedelta(seconds=a)
    room_to = candidate_from + dt.timedelta(seconds=b)
    candidate_to = room_to + dt.timedelta(seconds=c)
    events = [
        start(),
        stop(room_from, StopReason.ROOM),
        stop(candidate_from, StopReason.CANDIDATE),
        resume(room_to, StopReason.ROOM),
        resume(candidate_to, StopReason.CANDIDATE),
    ]

    state = clock_state(events, allotted=10 * HOUR, break_allowance=NO_BREAKS, now=candidate_to)

    assert state.credited == candidate_to - room_from
    assert state.running


@given(st.integers(min_value=1, max_value=120), seconds)
def test_time_added_moves_the_deadline_by_that_much(minutes: int, at: int) -> None:
    when = T0 + dt.timedelta(seconds=min(at, 3599))
    state = clock_state(
        [start(), added(when, minutes)], allotted=HOUR, break_allowance=NO_BREAKS, now=when
    )

    assert state.deadline == T0 + HOUR + dt.timedelta(minutes=minutes)


def test_a_rest_break_stops_the_clock_up_to_the_allowance_then_time_runs_again() -> None:
    allowance = dt.timedelta(minutes=10)
    on_break = T0 + dt.timedelta(minutes=20)
    back = on_break + dt.timedelta(minutes=25)  # fifteen minutes past the allowance
    events = [start(), stop(on_break, StopReason.BREAK), resume(back, StopReason.BREAK)]

    during = clock_state(
        events, allotted=HOUR, break_allowance=allowance, now=on_break + dt.timedelta(minutes=5)
    )
    after = clock_state(events, allotted=HOUR, break_allowance=allowance, now=back)

    assert during.on_break
    assert during.deadline == T0 + HOUR + allowance
    assert after.credited == allowance
    assert after.deadline == T0 + HOUR + allowance
    assert after.break_left == dt.timedelta(0)


def test_the_clock_expires_during_a_break_that_outlasts_allowance_and_time() -> None:
    on_break = T0 + dt.timedelta(minutes=55)
    events = [start(), stop(on_break, StopReason.BREAK)]

    state = clock_state(
        events, allotted=HOUR, break_allowance=dt.timedelta(minutes=10), now=T0 + 2 * HOUR
    )

    assert state.expired_at == T0 + HOUR + dt.timedelta(minutes=10)


def test_nothing_recorded_after_the_deadline_moves_it() -> None:
    events = [start(), added(T0 + HOUR + dt.timedelta(minutes=1), 30)]

    state = clock_state(events, allotted=HOUR, break_allowance=NO_BREAKS, now=T0 + 2 * HOUR)

    assert state.expired_at == T0 + HOUR


@given(
    st.lists(
        st.tuples(
            st.sampled_from([StopReason.CANDIDATE, StopReason.ROOM, StopReason.BREAK]),
            st.integers(min_value=0, max_value=7200),
            st.integers(min_value=1, max_value=1800),
        ),
        max_size=6,
    ),
    st.integers(min_value=0, max_value=4 * 3600),
)
def test_used_and_credited_time_add_up_to_the_time_since_the_start(
    stops: list[tuple[StopReason, int, int]], elapsed: int
) -> None:
    events = [start()]
    for reason, offset, length in stops:
        events += [
            stop(T0 + dt.timedelta(seconds=offset), reason),
            resume(T0 + dt.timedelta(seconds=offset + length), reason),
        ]
    now = T0 + dt.timedelta(seconds=elapsed)

    state = clock_state(events, allotted=HOUR, break_allowance=dt.timedelta(minutes=20), now=now)

    end = state.expired_at or now
    assert state.used + state.credited == end - T0
    assert dt.timedelta(0) <= state.remaining <= HOUR
    assert state.expired is (state.used >= HOUR)


@given(st.integers(min_value=0, max_value=3 * 3600), st.integers(min_value=0, max_value=3 * 3600))
def test_a_later_look_never_finds_an_earlier_deadline(first: int, second: int) -> None:
    events = [start(), stop(T0 + dt.timedelta(minutes=30)), resume(T0 + dt.timedelta(minutes=45))]
    earlier, later = sorted((first, second))

    a = clock_state(
        events, allotted=HOUR, break_allowance=NO_BREAKS, now=T0 + dt.timedelta(seconds=earlier)
    )
    b = clock_state(
        events, allotted=HOUR, break_allowance=NO_BREAKS, now=T0 + dt.timedelta(seconds=later)
    )

    if a.deadline is not None and b.deadline is not None:
        assert b.deadline >= a.deadline
