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
STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)


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


def has_active_content(pdf: bytes) -> bool:
    """True when the PDF's object syntax names scripts, launch actions or attachments.

    Stream contents (compressed page and image data) are skipped: random bytes there would raise
    false alarms. Names hidden in compressed object streams are not seen: this check is a second
    line of defence; evidence is always served as a download, never rendered in the browser.
    """
    return bool(ACTIVE_PDF_CONTENT.search(STREAM.sub(b"stream endstream", pdf)))


def inspect(stream: IO[bytes]) -> Inspection:
    """Read the stream once: its sniffed type, size, SHA-256 and whether a PDF holds active content."""
    stream.seek(0)
    digest = hashlib.sha256()
    limit = max_upload_bytes()
    kept = bytearray()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if size <= limit:
            kept.extend(chunk)
    stream.seek(0)
    content_type = sniff_content_type(bytes(kept[:16]))
    return Inspection(
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        active_content=content_type == PDF and size <= limit and has_active_content(bytes(kept)),
    )
