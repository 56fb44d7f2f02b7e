"""The documents a certificate revision is downloaded as (read-only).

The current revision is served exactly as issued (its SHA-256 is on record). A superseded one is
rendered again from its recorded contents and seal with "SUPERSEDED" across it, so a copy of an
old revision can never pass for a current one.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.utils import timezone

from peritus.certification.credentials import verification_url
from peritus.certification.models import CertificateVersion
from peritus.certification.pdf import CertificateContent, Seal, Superseded, render_certificate


def revision_pdf(version: CertificateVersion) -> bytes:
    """The PDF of `version`: as issued, or marked superseded."""
    if version.superseded_at is None and version.pdf.name:
        with default_storage.open(version.pdf.name) as handle:
            stored: bytes = handle.read()
        return stored
    content = CertificateContent.from_snapshot(version.content)
    url = verification_url(content.number)
    seal = Seal(
        verification_url=url,
        qr_url=f"{url}?t={version.seal}",
        key_id=version.key_id,
        content_digest=version.content_digest,
    )
    superseded = (
        Superseded(on=timezone.localdate(version.superseded_at), by_revision=version.revision + 1)
        if version.superseded_at is not None
        else None
    )
    return render_certificate(content, seal, superseded=superseded)


def revision_file_name(version: CertificateVersion) -> str:
    suffix = "" if version.revision == 1 else f"-R{version.revision}"
    marker = "-SUPERSEDED" if version.superseded_at is not None else ""
    return f"certificate-{version.certificate.number}{suffix}{marker}.pdf"
