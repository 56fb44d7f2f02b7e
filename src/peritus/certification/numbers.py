"""Certificate numbers: scheme prefix, serial and a check character (ISO/IEC 17024 9.4, R6).

A number reads `WI-0001234-K`: the scheme's prefix, a zero-padded serial from the scheme's own
series (never reused), and one check character.

The check character is a Damm-style check over the quasigroup `x ∘ y = α·x ⊕ y` of the finite
field GF(32) (α = the generator x, modulus x⁵ + x² + 1), over Crockford's 32-character alphabet
`0-9 A-Z` without I, L, O and U. Because α ≠ 0 every single substituted character changes the
result, and because α ≠ 1 the quasigroup is totally anti-symmetric, so every swap of two adjacent
characters does too (ADR 0015). The look-alikes are not errors at all: input is folded first
(O → 0, I and L → 1, U → V), so a reader who types `WI-OOO1234-K` finds the certificate.

A reissued version carries a revision suffix: `WI-0001234-K-R2`.
"""

from __future__ import annotations

import dataclasses
import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VALUE = {character: index for index, character in enumerate(ALPHABET)}
FOLD = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
SERIAL_WIDTH = 7
PREFIX_MAX = 10
_MODULUS = 0b100101  # x^5 + x^2 + 1, irreducible and primitive over GF(2)


def _times_alpha(value: int) -> int:
    """Multiply by α = x in GF(32): shift, and reduce by the modulus on overflow."""
    value <<= 1
    if value & 0b100000:
        value ^= _MODULUS
    return value


_STEP = tuple(_times_alpha(value) for value in range(32))
_SEPARATORS = re.compile(r"[\s\-_./]+")
_REVISION = re.compile(r"^(?P<base>.+?)[-/.]R(?P<revision>[0-9]{1,4})$")


def fold(text: str) -> str:
    """Upper case, separators removed, look-alike characters read as the character they mimic."""
    return _SEPARATORS.sub("", text.strip().upper()).translate(FOLD)


def _remainder(canonical: str) -> int:
    interim = 0
    for character in canonical:
        interim = _STEP[interim] ^ VALUE[character]
    return interim


def check_character(body: str) -> str:
    """The check character for `body` (prefix and serial; separators and look-alikes allowed)."""
    canonical = fold(body)
    if not canonical or any(character not in VALUE for character in canonical):
        raise ValueError("A number body holds only letters and digits.")
    return ALPHABET[_STEP[_remainder(canonical)]]


def has_valid_check(text: str) -> bool:
    """True when the last character of `text` is the right check character for the rest."""
    canonical = fold(text)
    if len(canonical) < 2 or any(character not in VALUE for character in canonical):
        return False
    return _remainder(canonical) == 0


def prefix_for(scheme_code: str) -> str:
    """The number prefix of a scheme: its code in capitals, letters and digits only."""
    prefix = re.sub(r"[^A-Z0-9]", "", scheme_code.upper())[:PREFIX_MAX]
    if not prefix:
        raise ValueError("A scheme code must contain a letter or a digit.")
    return prefix


def format_number(prefix: str, serial: int) -> str:
    """`WI`, 1234 → `WI-0001234-K`."""
    if serial < 1:
        raise ValueError("Serials start at 1.")
    body = f"{prefix}-{serial:0{SERIAL_WIDTH}d}"
    return f"{body}-{check_character(body)}"


def number_key(text: str) -> str:
    """The form numbers are stored and looked up by: folded, without separators."""
    return fold(text)


def format_revision(number: str, revision: int) -> str:
    return number if revision <= 1 else f"{number}-R{revision}"


@dataclasses.dataclass(frozen=True)
class NumberReference:
    """What a reader typed, understood: the certificate number and perhaps a revision."""

    key: str  # number_key of the certificate number
    revision: int | None
    check_ok: bool


def parse_reference(text: str) -> list[NumberReference]:
    """Every reading of `text` as a number (optionally with `-R<revision>`), best first.

    `WI-0001234-R` could be a number whose check character is R, and `WI-0001234-R2` that
    number's second revision, so a reading with a valid check comes first.
    """
    cleaned = text.strip().upper()
    if not cleaned or len(cleaned) > 64:
        return []
    readings: list[NumberReference] = []
    whole = fold(cleaned)
    if whole and all(character in VALUE for character in whole):
        readings.append(NumberReference(whole, None, has_valid_check(whole)))
    match = _REVISION.match(cleaned)
    if match:
        base = fold(match.group("base"))
        if base and all(character in VALUE for character in base):
            readings.append(
                NumberReference(base, int(match.group("revision")), has_valid_check(base))
            )
    readings.sort(key=lambda reading: not reading.check_ok)
    return readings
