"""Fonts: the standard Helvetica for Western European text, a TrueType font beyond it."""

from __future__ import annotations

import functools
import pathlib

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

UNICODE_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
STANDARD_FONT = "Helvetica"
STANDARD_BOLD = "Helvetica-Bold"


def is_standard_text(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def unicode_font() -> tuple[str, frozenset[int]] | None:
    """A TTF registered for text outside Western European (names such as Łukasz or Ζωή)."""
    configured = settings.PERITUS.get("CERTIFICATE_FONT_FILE", "")
    for candidate in (configured, *UNICODE_FONT_CANDIDATES):
        if candidate and pathlib.Path(candidate).is_file():
            font = TTFont("PeritusUnicode", candidate)
            pdfmetrics.registerFont(font)
            return "PeritusUnicode", frozenset(font.face.charToGlyph)
    return None


def is_printable(text: str) -> bool:
    """True when the certificate can print `text` exactly (no missing glyphs)."""
    if is_standard_text(text):
        return True
    font = unicode_font()
    return font is not None and all(ord(character) in font[1] for character in text)


def font_for(text: str, *, bold: bool = False) -> str:
    if is_standard_text(text):
        return STANDARD_BOLD if bold else STANDARD_FONT
    font = unicode_font()
    return font[0] if font is not None else STANDARD_FONT
