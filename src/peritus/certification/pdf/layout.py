"""The certificate's layout, drawn on either surface."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics

from peritus.certification.pdf.content import CertificateContent, ScopeLine, Seal, Superseded
from peritus.certification.pdf.fonts import STANDARD_FONT, font_for, is_standard_text
from peritus.certification.pdf.ornaments import PAGE_HEIGHT, PAGE_WIDTH, qr_operators
from peritus.certification.pdf.surfaces import FastSurface, ReportlabSurface, Surface

INK = "0.08 0.16 0.32"  # dark blue, as "r g b" for raw operators
INK_RGB = (0.08, 0.16, 0.32)
RED_RGB = (0.75, 0.05, 0.05)
GREY_RGB = (0.25, 0.25, 0.25)


def _microtext(surface: Surface, text: str, *, x: float, y: float, width: float) -> None:
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
        font = font_for(heading, bold=True)
        lines.extend((text, True, 9.5, 0.0) for text in simpleSplit(heading, font, 9.5, width))
        if item.limitations:
            note = f"{_('Limitations')}: {item.limitations}"
            font = font_for(note)
            lines.extend(
                (text, False, 8.5, 10.0) for text in simpleSplit(note, font, 8.5, width - 10)
            )
    return lines


def _draw(
    surface: Surface, content: CertificateContent, seal: Seal, superseded: Superseded | None
) -> None:
    centre = PAGE_WIDTH / 2
    surface.guilloche(seal.content_digest)
    surface.raw(
        f"q {INK} RG 2 w 22 22 {PAGE_WIDTH - 44:.1f} {PAGE_HEIGHT - 44:.1f} re S "
        f"0.6 w 30 30 {PAGE_WIDTH - 60:.1f} {PAGE_HEIGHT - 60:.1f} re S Q"
    )
    micro = f"{content.number} {content.body_name} {content.holder_name}"
    if not is_standard_text(micro):
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
    surface.raw(qr_operators(seal.qr_url, x=qr_x, y=qr_y, size=qr_size))
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
        fast = all(is_standard_text(text) for text in _texts(content)) and is_standard_text(
            _("Scheme %(code)s, version %(version)s — in accordance with %(standard)s")
        )
        surface: Surface = FastSurface() if fast else ReportlabSurface()
        _draw(surface, content, seal, superseded)
        return surface.finish(
            title=_("Certificate %(number)s") % {"number": content.number},
            author=content.body_name,
            subject=f"{content.scheme_name} ({content.scheme_code} {content.scheme_version})",
        )
