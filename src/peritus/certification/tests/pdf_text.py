"""Read the text out of a PDF without reportlab: inflate its streams, collect string operands.

Enough for our own certificates (Type 1 fonts with WinAnsi literal strings; hex strings of a
TrueType subset are returned as their raw bytes and not decoded).
"""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
_LITERAL = re.compile(rb"\((?:\\.|[^\\)])*\)\s*Tj")


def _unescape(raw: bytes) -> str:
    out = bytearray()
    index = 0
    while index < len(raw):
        byte = raw[index]
        if byte == 0x5C and index + 1 < len(raw):  # backslash
            following = raw[index + 1 : index + 2]
            if following.isdigit():
                digits = re.match(rb"[0-7]{1,3}", raw[index + 1 : index + 4])
                assert digits is not None
                out.append(int(digits.group(), 8))
                index += 1 + len(digits.group())
                continue
            out.extend({b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(following, following))
            index += 2
            continue
        out.append(byte)
        index += 1
    return out.decode("cp1252")


def page_streams(pdf: bytes) -> list[bytes]:
    streams = []
    for match in _STREAM.finditer(pdf):
        body = match.group(1)
        try:
            streams.append(zlib.decompressobj().decompress(body))
        except zlib.error:
            streams.append(body)
    return streams


def extract_text(pdf: bytes) -> str:
    """Every literal string drawn with Tj, in drawing order, one per line."""
    lines = []
    for stream in page_streams(pdf):
        for match in _LITERAL.finditer(stream):
            literal = match.group(0)
            lines.append(_unescape(literal[1 : literal.rindex(b")")]))
    return "\n".join(lines)
