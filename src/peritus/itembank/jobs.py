"""Periodic work of the item bank for `peritus tick`."""

from __future__ import annotations

import datetime as dt

from peritus.itembank.services import rest_overexposed_items
from peritus.scheduling.registry import register_job


@register_job("itembank-rest-overexposed", every=dt.timedelta(days=1))
def rest_overexposed(now: dt.datetime) -> str:
    """Rest items delivered as often as their bank allows; they stay off new forms for a while."""
    count = rest_overexposed_items(now=now)
    return f"{count} over-exposed item(s) rested"


@register_job("itembank-statistics-reviews", every=dt.timedelta(days=1))
def open_statistics_reviews(now: dt.datetime) -> str:
    """Open the exam statistics reviews that are due, with statistics computed (R19, 9.3.5)."""
    from peritus.itembank.statistics.services import open_due_statistics_reviews

    opened = open_due_statistics_reviews(now=now)
    forms = ", ".join(review.form.code for review in opened)
    return f"{len(opened)} statistics review(s) opened" + (f": {forms}" if forms else "")
