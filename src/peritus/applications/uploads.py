"""Checks on uploaded evidence: size, type by content (never by name), active content.

The browser's content type and the file name are not trusted: a renamed executable is refused
because its first bytes are not those of a PDF, PNG or JPEG. PDFs that carry scripts, launch
actions or embedded files are refused too; evidence is read, never run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import IO

from django.conf import settings

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
ALLOWED_CONTENT_TYPES = (PDF, PNG, JPEG)
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
# PDF names that make a document do something when opened.
ACTIVE_PDF_CONTENT = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")


def max_upload_bytes() -> int:
    return int(getattr(settings, "PERITUS_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff_content_type(head: bytes) -> str | None:
    """The type the first bytes announce, among the allowed ones; None for anything else."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


@dataclasses.dataclass(frozen=True)
class Inspection:
    content_type: str | None
    size: int
    sha256: str
    active_content: bool


def inspect(stream: IO[bytes]) -> Inspection:
    """Read the stream once: its sniffed type, size, SHA-256 and whether a PDF holds active content."""
    stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    active = False
    while chunk := stream.read(CHUNK):
        if not head:
            head = chunk[:16]
        digest.update(chunk)
        size += len(chunk)
        window = tail + chunk
        if ACTIVE_PDF_CONTENT.search(window):
            active = True
        tail = window[-32:]
    stream.seek(0)
    content_type = sniff_content_type(head)
    return Inspection(
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        active_content=active and content_type == PDF,
    )
