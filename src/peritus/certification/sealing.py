"""A revision's printed contents and its seal: what issuing and reissuing both prepare."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from peritus.accounts.models import Person
from peritus.certification import credentials
from peritus.certification.credentials import verification_url
from peritus.certification.pdf import CertificateContent, ScopeLine, Seal
from peritus.certification.rendering import RenderJob
from peritus.schemes.models import SchemeVersion, ScopeItem


def scope_lines(items: Sequence[ScopeItem]) -> tuple[ScopeLine, ...]:
    ordered = sorted(items, key=lambda item: (item.position, item.code))
    return tuple(
        ScopeLine(code=item.code, title=item.title, level=item.level, limitations=item.limitations)
        for item in ordered
    )


def build_content(
    *,
    holder: Person,
    scheme_version: SchemeVersion,
    scope: tuple[ScopeLine, ...],
    number: str,
    revision: int,
    issued_on: dt.date,
    valid_from: dt.date,
    expires_on: dt.date,
) -> CertificateContent:
    return CertificateContent(
        body_name=settings.PERITUS["BODY_NAME"],
        holder_name=holder.full_name,
        number=number,
        revision=revision,
        scheme_code=scheme_version.scheme.code,
        scheme_name=scheme_version.scheme.name,
        scheme_version=scheme_version.version,
        standard_reference=scheme_version.standard_reference,
        scope=scope,
        issued_on=issued_on,
        valid_from=valid_from,
        expires_on=expires_on,
        language=holder.preferred_language or "en",
    )


@dataclasses.dataclass
class Sealed:
    """A revision ready to store: contents, digest, seal and the rendering job for its PDF."""

    content: CertificateContent
    digest: str
    kid: str
    token: str
    job: RenderJob


def seal_content(content: CertificateContent, *, private_key: Any, kid: str) -> Sealed:
    snapshot = content.as_snapshot()
    digest = credentials.content_digest(snapshot)
    token = credentials.seal(
        credentials.certificate_claims(content.number, content.revision, digest), private_key
    )
    url = verification_url(content.number)
    seal = Seal(verification_url=url, qr_url=f"{url}?t={token}", key_id=kid, content_digest=digest)
    return Sealed(content, digest, kid, token, RenderJob(snapshot=snapshot, seal=seal))
