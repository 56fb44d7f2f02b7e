from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificationEvent(models.TextChoices):
    DECISION_RECORDED = "certification.decision.recorded", _("A certification decision was made")
    DECISION_IMPORTED = (
        "certification.decision.imported",
        _("A decision of a previous system was recorded"),
    )
    TERMS_ACCEPTED = (
        "certification.terms.accepted",
        _("The rules on the use of certificates and marks were accepted"),
    )
    CERTIFICATE_ISSUED = "certification.certificate.issued", _("A certificate was issued")
    CERTIFICATES_ISSUED = (
        "certification.certificates.issued",
        _("Certificates were issued in one batch (each one is linked)"),
    )
    CERTIFICATE_REISSUED = (
        "certification.certificate.reissued",
        _("A certificate was reissued; the previous revision is superseded"),
    )
    CERTIFICATE_IMPORTED = (
        "certification.certificate.imported",
        _("A certificate was brought in from a previous register"),
    )
    SIGNING_KEY_PUBLISHED = (
        "certification.signing_key.published",
        _("A certificate signing key was published"),
    )
    SIGNING_KEY_REVOKED = (
        "certification.signing_key.revoked",
        _("A certificate signing key was revoked"),
    )
    EVIDENCE_PACK_EXPORTED = (
        "certification.evidence_pack.exported",
        _("An evidence pack was exported"),
    )
