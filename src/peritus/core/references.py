"""Public references of records (AP-7KQ2M9XD, CP-…, D-…): what staff and people quote, never a
primary key. One alphabet for all of them, readable aloud and on paper."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L or U: a reference is read out on the phone and copied from a letter.
READABLE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_reference(prefix: str, length: int = 8) -> str:
    """`prefix` followed by `length` random readable characters (30^8 ≈ 6.6 × 10^11 values)."""
    return prefix + "".join(secrets.choice(READABLE_ALPHABET) for _ in range(length))
