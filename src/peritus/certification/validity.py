"""Validity dates and the folded names the register is searched by (pure functions)."""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months; the 31st becomes the month's last day where needed."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_date(valid_from: dt.date, validity_months: int) -> dt.date:
    """The last day of validity: `validity_months` after `valid_from`, less one day.

    A three-year certificate effective on 1 March 2026 is valid to 28 February 2029 inclusive.
    """
    if validity_months < 1:
        raise ValueError("A validity period is at least one month.")
    return add_months(valid_from, validity_months) - dt.timedelta(days=1)


def fold_name(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: `Åsa  Ölund-Ström` → `asa olund-strom`."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(
        character for character in decomposed if not unicodedata.combining(character)
    )
    replacements = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "ß": "ss", "đ": "d"})
    return " ".join(stripped.translate(replacements).casefold().split())


def register_sort_name(given_names: str, family_name: str) -> str:
    """How the register sorts and searches a holder: family name first, folded."""
    return fold_name(f"{family_name} {given_names}")
