"""The certificate document (reportlab + segno), fast enough to issue in bulk (< 20 ms each).

It shows what R5 requires — holder's name, unique number, the body's name, the scheme and the
standard with its version, the scope with its limitations, the effective and expiry dates — and
carries the anti-counterfeit measures of R6: a QR code with the Ed25519 seal, the verification
URL, the seal's key id and content digest, microtext that repeats the number along the frame, and
a guilloche rosette whose phase is drawn from the content digest (a copy made for another person
or number will not match). The SHA-256 of the finished file is kept by the service, server-side.

A superseded revision is rendered with a "SUPERSEDED" mark across the page.

Speed (bulk issuance renders hundreds a second): reportlab runs here without its C accelerator,
so a certificate whose text is all Western European (cp1252, the standard PDF fonts' encoding) is
written directly as PDF operators into a one-page document (`_FastSurface`), and the QR code
comes from `qr.py` (cached layout, fixed mask). Other names (Łukasz, Ζωή …) go through reportlab
with an embedded TrueType font (`_ReportlabSurface`). Both draw the same layout (`_draw`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import math
import pathlib
import zlib
from collections.abc import Sequence
from typing import Any, Protocol

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from peritus.certification.qr import qr_matrix

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


# Surfaces ---------------------------------------------------------------------------------------


class _Surface(Protocol):
    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        align: str = "left",
        rgb: tuple[float, float, float] = (0, 0, 0),
    ) -> None: ...

    def raw(self, operators: str) -> None: ...

    def guilloche(self, digest: str) -> None: ...

    def watermark(self, text: str, *, size: float, angle: float, alpha: float) -> None: ...

    def finish(self, *, title: str, author: str, subject: str) -> bytes: ...


def _pdf_literal(text: str) -> str:
    """A PDF literal string of cp1252 text, each byte kept as one latin-1 character."""
    raw = text.encode("cp1252").decode("latin-1")
    return "(" + raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _info_string(text: str) -> bytes:
    if text.isascii():
        return _pdf_literal(text).encode("latin-1")
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


class _FastSurface:
    """One page of PDF operators with the two standard Helvetica fonts (cp1252 text only)."""

    fonts = {False: ("F1", STANDARD_FONT), True: ("F2", STANDARD_BOLD)}

    def __init__(self) -> None:
        self.operators: list[str] = []
        self.alpha: float | None = None
        self.form: bytes | None = None

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        align: str = "left",
        rgb: tuple[float, float, float] = (0, 0, 0),
    ) -> None:
        resource, font = self.fonts[bold]
        if align != "left":
            width = pdfmetrics.stringWidth(text, font, size)
            x -= width / 2 if align == "center" else width
        self.operators.append(
            f"BT /{resource} {_number(size)} Tf {rgb[0]:g} {rgb[1]:g} {rgb[2]:g} rg "
            f"{_number(x)} {_number(y)} Td {_pdf_literal(text)} Tj ET"
        )

    def raw(self, operators: str) -> None:
        self.operators.append(operators)

    def guilloche(self, digest: str) -> None:
        """Drawn from a form XObject compressed once per pattern (one of 128)."""
        self.form = _guilloche_form(*_guilloche_key(digest))
        self.operators.append("q /Fm1 Do Q")

    def watermark(self, text: str, *, size: float, angle: float, alpha: float) -> None:
        self.alpha = alpha
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        width = pdfmetrics.stringWidth(text, STANDARD_BOLD, size)
        self.operators.append(
            f"q /GS1 gs {cos:.4f} {sin:.4f} {-sin:.4f} {cos:.4f} "
            f"{_number(PAGE_WIDTH / 2)} {_number(PAGE_HEIGHT / 2)} cm "
            f"BT /F2 {_number(size)} Tf 0.75 0.05 0.05 rg {_number(-width / 2)} -30 Td "
            f"{_pdf_literal(text)} Tj ET Q"
        )

    def finish(self, *, title: str, author: str, subject: str) -> bytes:
        content = zlib.compress("\n".join(self.operators).encode("latin-1"), 6)
        graphics = b" /ExtGState << /GS1 6 0 R >>" if self.alpha is not None else b""
        form = self.form or _guilloche_form(5, 0)
        graphics += b" /XObject << /Fm1 9 0 R >>"
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_number(PAGE_WIDTH)} "
                f"{_number(PAGE_HEIGHT)}] /Resources << /Font << /F1 4 0 R /F2 5 0 R >>"
            ).encode()
            + graphics
            + b" >> /Contents 7 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold"
            b" /Encoding /WinAnsiEncoding >>",
            f"<< /Type /ExtGState /ca {self.alpha or 1:g} /CA {self.alpha or 1:g} >>".encode(),
            f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode()
            + content
            + b"\nendstream",
            b"<< /Title "
            + _info_string(title)
            + b" /Author "
            + _info_string(author)
            + b" /Subject "
            + _info_string(subject)
            + b" /Creator (Peritus) /Producer (Peritus) >>",
            (
                f"<< /Type /XObject /Subtype /Form /BBox [0 0 {_number(PAGE_WIDTH)} "
                f"{_number(PAGE_HEIGHT)}] /Length {len(form)} /Filter /FlateDecode >>\nstream\n"
            ).encode()
            + form
            + b"\nendstream",
        ]
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
        document_id = hashlib.md5(bytes(out), usedforsecurity=False).hexdigest()
        out += (
            f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 8 0 R "
            f"/ID [<{document_id}> <{document_id}>] >>\nstartxref\n{xref}\n%%EOF\n"
        ).encode()
        return bytes(out)


class _ReportlabSurface:
    """reportlab, with a TrueType font for text beyond cp1252."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(
            self.buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1
        )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        align: str = "left",
        rgb: tuple[float, float, float] = (0, 0, 0),
    ) -> None:
        self.canvas.setFont(_font_for(text, bold=bold), size)
        self.canvas.setFillColorRGB(*rgb)
        draw = {
            "left": self.canvas.drawString,
            "center": self.canvas.drawCentredString,
            "right": self.canvas.drawRightString,
        }[align]
        draw(x, y, text)

    def raw(self, operators: str) -> None:
        self.canvas.addLiteral(operators)

    def guilloche(self, digest: str) -> None:
        self.canvas.addLiteral(_guilloche(*_guilloche_key(digest)))

    def watermark(self, text: str, *, size: float, angle: float, alpha: float) -> None:
        canvas = self.canvas
        canvas.saveState()
        canvas.setFillColorRGB(0.75, 0.05, 0.05)
        canvas.setFillAlpha(alpha)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(angle)
        canvas.setFont(STANDARD_BOLD, size)
        canvas.drawCentredString(0, -30, text)
        canvas.restoreState()

    def finish(self, *, title: str, author: str, subject: str) -> bytes:
        self.canvas.setTitle(title)
        self.canvas.setAuthor(author)
        self.canvas.setSubject(subject)
        self.canvas.setCreator("Peritus")
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


# Drawing ----------------------------------------------------------------------------------------

INK_RGB = (0.08, 0.16, 0.32)
RED_RGB = (0.75, 0.05, 0.05)
GREY_RGB = (0.25, 0.25, 0.25)


def _qr_operators(data: str, *, x: float, y: float, size: float) -> str:
    matrix, _version = qr_matrix(data.encode("utf-8"), mask=QR_MASK)
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


def _guilloche_key(digest: str) -> tuple[int, int]:
    """The rosette's lobes and phase, drawn from the content digest."""
    seed = int(digest[:8] or "0", 16)
    return 5 + seed % 4, (seed >> 4) % GUILLOCHE_PHASES


@functools.lru_cache(maxsize=4 * GUILLOCHE_PHASES)
def _guilloche_form(lobes: int, phase_step: int) -> bytes:
    return zlib.compress(_guilloche(lobes, phase_step).encode("ascii"), 9)


@functools.lru_cache(maxsize=4 * GUILLOCHE_PHASES)
def _guilloche(lobes: int, phase_step: int) -> str:
    """A rosette of interlaced curves (light blue) behind the text."""
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


def _microtext(surface: _Surface, text: str, *, x: float, y: float, width: float) -> None:
    unit = f"{text} · "
    unit_width = pdfmetrics.stringWidth(unit, STANDARD_FONT, 2.4)
    repeat = max(1, int(width / unit_width))
    line = (unit * repeat)[: int(len(unit) * width / unit_width)]
    surface.text(x, y, line, size=2.4, rgb=INK_RGB)


def _date(value: dt.date) -> str:
    return formats.date_format(value, "j F Y")


def _scope_lines(scope: Sequence[ScopeLine], width: float) -> list[tuple[str, bool, float, float]]:
    lines: list[tuple[str, bool, float, float]] = []
    for item in scope:
        level = f" — {_('level')} {item.level}" if item.level else ""
        heading = f"{item.code} {item.title}{level}"
        font = _font_for(heading, bold=True)
        lines.extend((text, True, 9.5, 0.0) for text in simpleSplit(heading, font, 9.5, width))
        if item.limitations:
            note = f"{_('Limitations')}: {item.limitations}"
            font = _font_for(note)
            lines.extend(
                (text, False, 8.5, 10.0) for text in simpleSplit(note, font, 8.5, width - 10)
            )
    return lines


def _draw(
    surface: _Surface, content: CertificateContent, seal: Seal, superseded: Superseded | None
) -> None:
    centre = PAGE_WIDTH / 2
    surface.guilloche(seal.content_digest)
    surface.raw(
        f"q {INK} RG 2 w 22 22 {PAGE_WIDTH - 44:.1f} {PAGE_HEIGHT - 44:.1f} re S "
        f"0.6 w 30 30 {PAGE_WIDTH - 60:.1f} {PAGE_HEIGHT - 60:.1f} re S Q"
    )
    micro = f"{content.number} {content.body_name} {content.holder_name}"
    if not _is_standard_text(micro):
        micro = f"{content.number} {content.body_name}"
    _microtext(surface, micro, x=32, y=32.5, width=PAGE_WIDTH - 64)
    _microtext(surface, micro, x=32, y=PAGE_HEIGHT - 35.5, width=PAGE_WIDTH - 64)

    surface.text(
        centre, PAGE_HEIGHT - 72, content.body_name, size=15, bold=True, align="center", rgb=INK_RGB
    )
    surface.text(centre, PAGE_HEIGHT - 110, _("CERTIFICATE"), size=30, bold=True, align="center")
    surface.text(centre, PAGE_HEIGHT - 140, _("This is to certify that"), size=12, align="center")
    surface.text(
        centre,
        PAGE_HEIGHT - 172,
        content.holder_name,
        size=26,
        bold=True,
        align="center",
        rgb=INK_RGB,
    )
    surface.text(
        centre,
        PAGE_HEIGHT - 198,
        _("has met the requirements of the certification scheme"),
        size=12,
        align="center",
    )
    surface.text(centre, PAGE_HEIGHT - 222, content.scheme_name, size=17, bold=True, align="center")
    surface.text(
        centre,
        PAGE_HEIGHT - 241,
        _("Scheme %(code)s, version %(version)s — in accordance with %(standard)s")
        % {
            "code": content.scheme_code,
            "version": content.scheme_version,
            "standard": content.standard_reference,
        },
        size=10.5,
        align="center",
    )

    left, top = 70.0, PAGE_HEIGHT - 278
    surface.text(left, top, _("Scope of certification"), size=10, bold=True)
    lines = _scope_lines(content.scope, 470.0)
    factor = 1.0 if len(lines) <= 9 else 9 / len(lines)
    y = top - 14
    for text, bold, size, indent in lines:
        surface.text(left + indent, y, text, size=size * factor, bold=bold)
        y -= (size + 2.5) * factor

    facts = [
        (_("Certificate number"), content.number),
        (_("Revision"), str(content.revision)),
        (_("Effective from"), _date(content.valid_from)),
        (_("Expires on"), _date(content.expires_on)),
        (_("Issued on"), _date(content.issued_on)),
    ]
    y = 150.0
    for label, value in facts:
        surface.text(70, y, label, size=9)
        surface.text(170, y, value, size=10, bold=True)
        y -= 14

    qr_size = 128.0
    qr_x, qr_y = PAGE_WIDTH - 70 - qr_size, 66.0
    surface.raw(_qr_operators(seal.qr_url, x=qr_x, y=qr_y, size=qr_size))
    surface.text(
        qr_x + qr_size / 2, qr_y - 9, _("Scan to verify the seal"), size=7.5, align="center"
    )
    surface.text(
        qr_x + qr_size,
        qr_y + qr_size + 18,
        _("Check the current status at"),
        size=8.5,
        bold=True,
        align="right",
    )
    surface.text(qr_x + qr_size, qr_y + qr_size + 7, seal.verification_url, size=8.5, align="right")

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
        surface.text(70, 56 - index * 8.5, line, size=6.5, rgb=GREY_RGB)

    if superseded is not None:
        surface.watermark(_("SUPERSEDED"), size=96, angle=28, alpha=0.28)
        surface.text(
            centre,
            PAGE_HEIGHT - 50,
            _("SUPERSEDED on %(date)s by revision %(revision)s — this version is not valid")
            % {"date": _date(superseded.on), "revision": superseded.by_revision},
            size=11,
            bold=True,
            align="center",
            rgb=RED_RGB,
        )


def _texts(content: CertificateContent) -> list[str]:
    texts = [
        content.body_name,
        content.holder_name,
        content.number,
        content.scheme_code,
        content.scheme_name,
        content.scheme_version,
        content.standard_reference,
    ]
    for line in content.scope:
        texts.extend((line.code, line.title, line.level, line.limitations))
    return texts


def render_certificate(
    content: CertificateContent, seal: Seal, *, superseded: Superseded | None = None
) -> bytes:
    """The PDF of one certificate revision."""
    with translation.override(content.language):
        fast = all(_is_standard_text(text) for text in _texts(content)) and _is_standard_text(
            _("Scheme %(code)s, version %(version)s — in accordance with %(standard)s")
        )
        surface: _Surface = _FastSurface() if fast else _ReportlabSurface()
        _draw(surface, content, seal, superseded)
        return surface.finish(
            title=_("Certificate %(number)s") % {"number": content.number},
            author=content.body_name,
            subject=f"{content.scheme_name} ({content.scheme_code} {content.scheme_version})",
        )
