"""What a certificate revision prints: the input of its content digest (R5)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any


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
