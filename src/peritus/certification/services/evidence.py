"""Exporting an evidence pack: a disclosure of personal data, so it is recorded (7.3, R28)."""

from __future__ import annotations

import hashlib
import re

from django.db import transaction
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.applications.models import Application
from peritus.audit_trail.services import record_event
from peritus.certification.errors import CertificationNotPermittedError
from peritus.certification.events import CertificationEvent
from peritus.certification.evidence import chain_for_application, chain_for_certificate
from peritus.certification.evidence_pack import build_pack
from peritus.certification.models import Certificate

EVIDENCE_ROLES = (
    RoleCode.CERTIFICATION_OFFICER,
    RoleCode.DECISION_MAKER,
    RoleCode.QUALITY_MANAGER,
    RoleCode.ASSESSOR,
    RoleCode.APPEALS_PANEL,
)


@transaction.atomic(durable=True)
def export_evidence_pack(
    *,
    actor: User,
    certificate: Certificate | None = None,
    application: Application | None = None,
) -> tuple[bytes, str]:
    """The ZIP evidence pack of a certificate or an application, and its file name."""
    subject = certificate or application
    if subject is None:
        raise ValueError("Name a certificate or an application.")
    scheme_id = subject.get_scheme_id()
    if not any(has_role(actor, role, scheme_id=scheme_id) for role in EVIDENCE_ROLES):
        raise CertificationNotPermittedError(
            "not_permitted", _("Only the people who decide, issue, oversee or assess see this.")
        )
    if certificate is not None:
        chain = chain_for_certificate(certificate)
    else:
        assert application is not None
        chain = chain_for_application(application)
    pack = build_pack(chain)
    digest = hashlib.sha256(pack).hexdigest()
    record_event(
        CertificationEvent.EVIDENCE_PACK_EXPORTED,
        actor=actor,
        subject=subject,
        data={"sha256": digest, "bytes": len(pack), "audit_events": len(chain.audit_events)},
    )
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", chain.title)
    return pack, f"evidence-pack-{name}.zip"
