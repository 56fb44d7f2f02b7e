"""Where the layout draws: straight PDF operators (cp1252 text), or reportlab (any text)."""

from __future__ import annotations

import hashlib
import io
import math
import zlib
from typing import Protocol

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from peritus.certification.pdf.fonts import STANDARD_BOLD, STANDARD_FONT, font_for
from peritus.certification.pdf.ornaments import (
    PAGE_HEIGHT,
    PAGE_WIDTH,
    guilloche_form,
    guilloche_key,
    guilloche_operators,
)

# Binary Flate streams: ASCII85 on top costs ~14 ms a page in pure Python and buys nothing.
rl_config.useA85 = 0


class Surface(Protocol):
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


def pdf_literal(text: str) -> str:
    """A PDF literal string of cp1252 text, each byte kept as one latin-1 character."""
    raw = text.encode("cp1252").decode("latin-1")
    return "(" + raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def info_string(text: str) -> bytes:
    if text.isascii():
        return pdf_literal(text).encode("latin-1")
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def pdf_number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


class FastSurface:
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
            f"BT /{resource} {pdf_number(size)} Tf {rgb[0]:g} {rgb[1]:g} {rgb[2]:g} rg "
            f"{pdf_number(x)} {pdf_number(y)} Td {pdf_literal(text)} Tj ET"
        )

    def raw(self, operators: str) -> None:
        self.operators.append(operators)

    def guilloche(self, digest: str) -> None:
        """Drawn from a form XObject compressed once per pattern (one of 128)."""
        self.form = guilloche_form(*guilloche_key(digest))
        self.operators.append("q /Fm1 Do Q")

    def watermark(self, text: str, *, size: float, angle: float, alpha: float) -> None:
        self.alpha = alpha
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        width = pdfmetrics.stringWidth(text, STANDARD_BOLD, size)
        self.operators.append(
            f"q /GS1 gs {cos:.4f} {sin:.4f} {-sin:.4f} {cos:.4f} "
            f"{pdf_number(PAGE_WIDTH / 2)} {pdf_number(PAGE_HEIGHT / 2)} cm "
            f"BT /F2 {pdf_number(size)} Tf 0.75 0.05 0.05 rg {pdf_number(-width / 2)} -30 Td "
            f"{pdf_literal(text)} Tj ET Q"
        )

    def finish(self, *, title: str, author: str, subject: str) -> bytes:
        content = zlib.compress("\n".join(self.operators).encode("latin-1"), 6)
        graphics = b" /ExtGState << /GS1 6 0 R >>" if self.alpha is not None else b""
        form = self.form or guilloche_form(5, 0)
        graphics += b" /XObject << /Fm1 9 0 R >>"
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pdf_number(PAGE_WIDTH)} "
                f"{pdf_number(PAGE_HEIGHT)}] /Resources << /Font << /F1 4 0 R /F2 5 0 R >>"
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
            + info_string(title)
            + b" /Author "
            + info_string(author)
            + b" /Subject "
            + info_string(subject)
            + b" /Creator (Peritus) /Producer (Peritus) >>",
            (
                f"<< /Type /XObject /Subtype /Form /BBox [0 0 {pdf_number(PAGE_WIDTH)} "
                f"{pdf_number(PAGE_HEIGHT)}] /Length {len(form)} /Filter /FlateDecode >>\nstream\n"
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


class ReportlabSurface:
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
        self.canvas.setFont(font_for(text, bold=bold), size)
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
        self.canvas.addLiteral(guilloche_operators(*guilloche_key(digest)))

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
