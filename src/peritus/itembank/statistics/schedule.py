"""When a form's statistics review is due (R19). Pure: the dates come in as parameters."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclasses.dataclass(frozen=True)
class Due:
    trigger: str  # a `ReviewTrigger` value
    since: dt.date


def review_due(
    *,
    today: dt.date,
    baseline: dt.date | None,
    administrations_since: int,
    interval_months: int | None,
    interval_administrations: int | None,
) -> Due | None:
    """Whether a review is due today, and why.

    `baseline` is the date the interval runs from: the last closed review, or the form's first
    administration when it was never reviewed. `administrations_since` counts the administrations
    the last review did not cover. A review is never due without new administrations: there is
    nothing new to review.
    """
    if baseline is None or administrations_since < 1:
        return None
    if interval_months:
        elapsed = add_months(baseline, interval_months)
        if today >= elapsed:
            return Due("interval", elapsed)
    if interval_administrations and administrations_since >= interval_administrations:
        return Due("administrations", today)
    return None
