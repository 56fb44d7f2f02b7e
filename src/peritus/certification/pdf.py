"""The certificate document (reportlab + segno), fast enough to issue in bulk (< 20 ms each).

It shows what R5 requires — holder's name, unique number, the body's name, the scheme and the
standard with its version, the scope with its limitations, the effective and expiry dates — and
carries the anti-counterfeit measures of R6: a QR code with the Ed25519 seal, the verification
URL, the seal's key id and content digest, microtext that repeats the number along the frame, and
a guilloche rosette whose phase is drawn from the content digest (a copy made for another person
or number will not match). The SHA-256 of the finished file is kept by the service, server-side.

A superseded revision is rendered with a "SUPERSEDED" mark across the page.

Speed: reportlab runs here without its C accelerator, so the QR code and the guilloche are written
as raw PDF path operators with integer or one-decimal coordinates instead of through the canvas's
float formatting, the QR mask is fixed instead of searched, and streams are Flate-compressed
without the ASCII85 wrapping.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import math
import pathlib
from collections.abc import Sequence
from typing import Any

import segno
from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

# Binary Flate streams: ASCII85 on top costs ~14 ms a page in pure Python and buys nothing.
rl_config.useA85 = 0

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
INK = "0.08 0.16 0.32"  # dark blue, as "r g b" for raw operators
GUILLOCHE_PHASES = 32
QR_MASK = 4  # a fixed mask: searching the eight costs ~10 ms; every mask decodes
UNICODE_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
STANDARD_FONT = "Helvetica"
STANDARD_BOLD = "Helvetica-Bold"


@dataclasses.dataclass(frozen=True)
class ScopeLine:
    code: str
    title: str
    level: str = ""
    limitations: str = ""

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class CertificateContent:
    """Everything printed on one revision of a certificate: the input of the content digest."""

    body_name: str
    holder_name: str
    number: str
    revision: int
    scheme_code: str
    scheme_name: str
    scheme_version: str
    standard_reference: str
    scope: tuple[ScopeLine, ...]
    issued_on: dt.date
    valid_from: dt.date
    expires_on: dt.date
    language: str = "en"

    def as_snapshot(self) -> dict[str, Any]:
        return {
            "body_name": self.body_name,
            "holder_name": self.holder_name,
            "number": self.number,
            "revision": self.revision,
            "scheme_code": self.scheme_code,
            "scheme_name": self.scheme_name,
            "scheme_version": self.scheme_version,
            "standard_reference": self.standard_reference,
            "scope": [line.as_dict() for line in self.scope],
            "issued_on": self.issued_on.isoformat(),
            "valid_from": self.valid_from.isoformat(),
            "expires_on": self.expires_on.isoformat(),
            "language": self.language,
        }

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any]) -> CertificateContent:
        return cls(
            body_name=snapshot["body_name"],
            holder_name=snapshot["holder_name"],
            number=snapshot["number"],
            revision=int(snapshot["revision"]),
            scheme_code=snapshot["scheme_code"],
            scheme_name=snapshot["scheme_name"],
            scheme_version=snapshot["scheme_version"],
            standard_reference=snapshot["standard_reference"],
            scope=tuple(ScopeLine(**line) for line in snapshot["scope"]),
            issued_on=dt.date.fromisoformat(snapshot["issued_on"]),
            valid_from=dt.date.fromisoformat(snapshot["valid_from"]),
            expires_on=dt.date.fromisoformat(snapshot["expires_on"]),
            language=snapshot.get("language", "en"),
        )


@dataclasses.dataclass(frozen=True)
class Seal:
    """What the document shows of its seal: the QR target and the key and digest behind it."""

    verification_url: str  # without the token, printed in words
    qr_url: str  # with the token, in the QR code
    key_id: str
    content_digest: str


@dataclasses.dataclass(frozen=True)
class Superseded:
    on: dt.date
    by_revision: int


def minimum_content_gaps(content: CertificateContent) -> list[str]:
    """What R5 requires and `content` lacks (empty when the certificate may be issued)."""
    gaps = []
    for field, label in (
        ("holder_name", "holder_name"),
        ("number", "number"),
        ("body_name", "body_name"),
        ("scheme_name", "scheme_name"),
        ("scheme_version", "scheme_version"),
        ("standard_reference", "standard_reference"),
    ):
        if not str(getattr(content, field)).strip():
            gaps.append(label)
    if not content.scope:
        gaps.append("scope")
    if content.expires_on <= content.valid_from:
        gaps.append("validity_period")
    return gaps


# Fonts ------------------------------------------------------------------------------------------


def _is_standard_text(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def _unicode_font() -> tuple[str, frozenset[int]] | None:
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
    if _is_standard_text(text):
        return True
    font = _unicode_font()
    return font is not None and all(ord(character) in font[1] for character in text)


def _font_for(text: str, *, bold: bool = False) -> str:
    if _is_standard_text(text):
        return STANDARD_BOLD if bold else STANDARD_FONT
    font = _unicode_font()
    return font[0] if font is not None else STANDARD_FONT


# Drawing ----------------------------------------------------------------------------------------


def _qr_operators(data: str, *, x: float, y: float, size: float) -> str:
    qr = segno.make(data, error="m", mask=QR_MASK, boost_error=False)
    matrix = qr.matrix
    modules = len(matrix)
    border = 2
    scale = size / (modules + 2 * border)
    runs = []
    for row_index, row in enumerate(matrix):
        top = modules - 1 - row_index + border
        column = 0
        while column < modules:
            if row[column]:
                start = column
                while column < modules and row[column]:
                    column += 1
                runs.append(f"{start + border} {top} {column - start} 1 re")
            else:
                column += 1
    body = "\n".join(runs)
    return (
        f"q 1 1 1 rg {x:.2f} {y:.2f} {size:.2f} {size:.2f} re f "
        f"0 0 0 rg {scale:.4f} 0 0 {scale:.4f} {x:.2f} {y:.2f} cm\n{body}\nf Q"
    )


def _guilloche_operators(digest: str) -> str:
    """A rosette of interlaced curves whose lobes and phase come from the content digest."""
    seed = int(digest[:8] or "0", 16)
    return _guilloche(5 + seed % 4, (seed >> 4) % GUILLOCHE_PHASES)


@functools.lru_cache(maxsize=4 * GUILLOCHE_PHASES)
def _guilloche(lobes: int, phase_step: int) -> str:
    phase = phase_step * 2 * math.pi / GUILLOCHE_PHASES / lobes
    centre_x, centre_y = PAGE_WIDTH / 2, PAGE_HEIGHT / 2 - 10
    paths = []
    for ring in range(16):
        offset = phase + ring * math.pi / 8
        points = []
        steps = 64
        for step in range(steps + 1):
            angle = step * 2 * math.pi / steps
            radius = 150 + 38 * math.sin(lobes * angle + offset) + ring * 2.4
            points.append(
                f"{centre_x + 1.5 * radius * math.cos(angle):.1f} "
                f"{centre_y + radius * math.sin(angle):.1f}"
            )
        paths.append(f"{points[0]} m {' l '.join(points[1:])} l S")
    return "q 0.35 w 0.80 0.86 0.93 RG\n" + "\n".join(paths) + "\nQ"


def _microtext(canvas: Canvas, text: str, *, x: float, y: float, width: float) -> None:
    canvas.setFont(STANDARD_FONT, 2.4)
    unit = f"{text} · "
    unit_width = pdfmetrics.stringWidth(unit, STANDARD_FONT, 2.4)
    repeat = max(1, int(width / unit_width))
    canvas.drawString(x, y, (unit * repeat)[: int(len(unit) * width / unit_width)])


def _date(value: dt.date) -> str:
    return formats.date_format(value, "j F Y")


def _centred(canvas: Canvas, text: str, y: float, size: float, *, bold: bool = False) -> None:
    canvas.setFont(_font_for(text, bold=bold), size)
    canvas.drawCentredString(PAGE_WIDTH / 2, y, text)


def _draw_scope(canvas: Canvas, scope: Sequence[ScopeLine], *, top: float) -> None:
    left, width = 70.0, 470.0
    canvas.setFont(STANDARD_BOLD, 10)
    canvas.drawString(left, top, _("Scope of certification"))
    lines: list[tuple[str, str, float, float]] = []
    for item in scope:
        level = f" — {_('level')} {item.level}" if item.level else ""
        heading = f"{item.code} {item.title}{level}"
        font = _font_for(heading, bold=True)
        lines.extend((text, font, 9.5, 0.0) for text in simpleSplit(heading, font, 9.5, width))
        if item.limitations:
            note = f"{_('Limitations')}: {item.limitations}"
            font = _font_for(note)
            lines.extend(
                (text, font, 8.5, 10.0) for text in simpleSplit(note, font, 8.5, width - 10)
            )
    size_factor = 1.0 if len(lines) <= 9 else 9 / len(lines)
    y = top - 14
    for text, font, size, indent in lines:
        canvas.setFont(font, size * size_factor)
        canvas.drawString(left + indent, y, text)
        y -= (size + 2.5) * size_factor


def render_certificate(
    content: CertificateContent, seal: Seal, *, superseded: Superseded | None = None
) -> bytes:
    """The PDF of one certificate revision."""
    with translation.override(content.language):
        return _render(content, seal, superseded)


def _render(content: CertificateContent, seal: Seal, superseded: Superseded | None) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1)
    title = _("Certificate %(number)s") % {"number": content.number}
    canvas.setTitle(title)
    canvas.setAuthor(content.body_name)
    canvas.setSubject(f"{content.scheme_name} ({content.scheme_code} {content.scheme_version})")
    canvas.setCreator("Peritus")

    canvas.addLiteral(_guilloche_operators(seal.content_digest))
    canvas.addLiteral(
        f"q {INK} RG 2 w 22 22 {PAGE_WIDTH - 44:.1f} {PAGE_HEIGHT - 44:.1f} re S "
        f"0.6 w 30 30 {PAGE_WIDTH - 60:.1f} {PAGE_HEIGHT - 60:.1f} re S Q"
    )
    micro = f"{content.number} {content.body_name} {content.holder_name}"
    if not _is_standard_text(micro):
        micro = f"{content.number} {content.body_name}"
    canvas.setFillColorRGB(0.08, 0.16, 0.32)
    _microtext(canvas, micro, x=32, y=32.5, width=PAGE_WIDTH - 64)
    _microtext(canvas, micro, x=32, y=PAGE_HEIGHT - 35.5, width=PAGE_WIDTH - 64)

    _centred(canvas, content.body_name, PAGE_HEIGHT - 72, 15, bold=True)
    canvas.setFillColorRGB(0, 0, 0)
    _centred(canvas, _("CERTIFICATE"), PAGE_HEIGHT - 110, 30, bold=True)
    _centred(canvas, _("This is to certify that"), PAGE_HEIGHT - 140, 12)
    canvas.setFillColorRGB(0.08, 0.16, 0.32)
    _centred(canvas, content.holder_name, PAGE_HEIGHT - 172, 26, bold=True)
    canvas.setFillColorRGB(0, 0, 0)
    _centred(
        canvas,
        _("has met the requirements of the certification scheme"),
        PAGE_HEIGHT - 198,
        12,
    )
    _centred(canvas, content.scheme_name, PAGE_HEIGHT - 222, 17, bold=True)
    _centred(
        canvas,
        _("Scheme %(code)s, version %(version)s — in accordance with %(standard)s")
        % {
            "code": content.scheme_code,
            "version": content.scheme_version,
            "standard": content.standard_reference,
        },
        PAGE_HEIGHT - 241,
        10.5,
    )
    _draw_scope(canvas, content.scope, top=PAGE_HEIGHT - 278)

    facts = [
        (_("Certificate number"), content.number),
        (_("Revision"), str(content.revision)),
        (_("Effective from"), _date(content.valid_from)),
        (_("Expires on"), _date(content.expires_on)),
        (_("Issued on"), _date(content.issued_on)),
    ]
    y = 150.0
    for label, value in facts:
        canvas.setFont(STANDARD_FONT, 9)
        canvas.drawString(70, y, label)
        canvas.setFont(STANDARD_BOLD, 10)
        canvas.drawString(170, y, value)
        y -= 14

    qr_size = 128.0
    qr_x, qr_y = PAGE_WIDTH - 70 - qr_size, 66.0
    canvas.addLiteral(_qr_operators(seal.qr_url, x=qr_x, y=qr_y, size=qr_size))
    canvas.setFont(STANDARD_FONT, 7.5)
    canvas.drawCentredString(qr_x + qr_size / 2, qr_y - 9, _("Scan to verify the seal"))
    canvas.setFont(STANDARD_BOLD, 8.5)
    canvas.drawRightString(qr_x + qr_size, qr_y + qr_size + 18, _("Check the current status at"))
    canvas.setFont(STANDARD_FONT, 8.5)
    canvas.drawRightString(qr_x + qr_size, qr_y + qr_size + 7, seal.verification_url)

    canvas.setFont(STANDARD_FONT, 6.5)
    canvas.setFillColorRGB(0.25, 0.25, 0.25)
    footer = [
        _(
            "This certificate remains the property of %(body)s. Its use and the use of the "
            "certification mark are governed by the rules the holder accepted at issue."
        )
        % {"body": content.body_name},
        _("Only the status shown at the verification address is authoritative."),
        _("Seal: Ed25519 key %(kid)s · content digest %(digest)s")
        % {"kid": seal.key_id, "digest": seal.content_digest[:32]},
    ]
    for index, line in enumerate(footer):
        canvas.drawString(70, 56 - index * 8.5, line)

    if superseded is not None:
        canvas.saveState()
        canvas.setFillColorRGB(0.75, 0.05, 0.05)
        canvas.setFillAlpha(0.28)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(28)
        canvas.setFont(STANDARD_BOLD, 96)
        canvas.drawCentredString(0, -30, _("SUPERSEDED"))
        canvas.restoreState()
        canvas.setFillColorRGB(0.75, 0.05, 0.05)
        canvas.setFont(STANDARD_BOLD, 11)
        canvas.drawCentredString(
            PAGE_WIDTH / 2,
            PAGE_HEIGHT - 50,
            _("SUPERSEDED on %(date)s by revision %(revision)s — this version is not valid")
            % {"date": _date(superseded.on), "revision": superseded.by_revision},
        )

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
