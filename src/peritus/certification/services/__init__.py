"""Use cases of the certification context (one module per capability, re-exported here).

Issue and after: decisions and issuance (9.4), the lifecycle after issue (9.5, 9.6) with the
scheduled jobs of `peritus tick` (jobs.py), and recertification (validity extended from the
previous expiry, the certificate reissued with the same number).
"""

from peritus.certification.services.deadlines import (
    escalate_withdrawal_proposals,
    propose_withdrawals,
)
from peritus.certification.services.decisions import decide_certification
from peritus.certification.services.evidence import export_evidence_pack
from peritus.certification.services.expiry import expire_certificates
from peritus.certification.services.importing import import_certificates
from peritus.certification.services.issuance import issue_certificate, issue_certificates
from peritus.certification.services.keys import publish_active_signing_key, revoke_signing_key
from peritus.certification.services.lifecycle import (
    extend_suspension,
    reduce_scope,
    reinstate_certificate,
    surrender_certificate,
    suspend_certificate,
    withdraw_certificate,
)
from peritus.certification.services.reissue import reissue_certificate
from peritus.certification.services.reminders import send_expiry_reminder, send_expiry_reminders
from peritus.certification.services.renewal import renew_certificate
from peritus.certification.services.terms import accept_certificate_terms

__all__ = [
    "accept_certificate_terms",
    "decide_certification",
    "escalate_withdrawal_proposals",
    "expire_certificates",
    "export_evidence_pack",
    "extend_suspension",
    "import_certificates",
    "issue_certificate",
    "issue_certificates",
    "propose_withdrawals",
    "publish_active_signing_key",
    "reduce_scope",
    "reinstate_certificate",
    "reissue_certificate",
    "renew_certificate",
    "revoke_signing_key",
    "send_expiry_reminder",
    "send_expiry_reminders",
    "surrender_certificate",
    "suspend_certificate",
    "withdraw_certificate",
]
