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
written directly as PDF operators into a one-page document (`surfaces.FastSurface`), and the
QR code comes from `qr.py` (cached layout, fixed mask). Other names (Łukasz, Ζωή …) go through
reportlab with an embedded TrueType font (`surfaces.ReportlabSurface`). Both draw the same
layout (`layout`).
"""

from peritus.certification.pdf.content import (
    CertificateContent,
    ScopeLine,
    Seal,
    Superseded,
    minimum_content_gaps,
)
from peritus.certification.pdf.fonts import is_printable
from peritus.certification.pdf.layout import render_certificate

__all__ = [
    "CertificateContent",
    "ScopeLine",
    "Seal",
    "Superseded",
    "is_printable",
    "minimum_content_gaps",
    "render_certificate",
]
