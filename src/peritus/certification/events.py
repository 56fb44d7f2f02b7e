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
    # Lifecycle after issue (9.5, 9.6)
    CERTIFICATE_SUSPENDED = "certification.certificate.suspended", _("A certificate was suspended")
    SUSPENSION_EXTENDED = (
        "certification.suspension.extended",
        _("The deadline of a suspension was extended"),
    )
    CERTIFICATE_REINSTATED = (
        "certification.certificate.reinstated",
        _("A suspended certificate was reinstated"),
    )
    CERTIFICATE_WITHDRAWN = "certification.certificate.withdrawn", _("A certificate was withdrawn")
    CERTIFICATE_SCOPE_REDUCED = (
        "certification.certificate.scope_reduced",
        _("The scope of a certificate was reduced and the certificate reissued"),
    )
    CERTIFICATE_SURRENDERED = (
        "certification.certificate.surrendered",
        _("The holder surrendered a certificate"),
    )
    CERTIFICATE_EXPIRED = (
        "certification.certificate.expired",
        _("A certificate expired at the end of its validity"),
    )
    CERTIFICATE_RECERTIFIED = (
        "certification.certificate.recertified",
        _("A certificate was recertified: validity extended, certificate reissued"),
    )
    CERTIFICATE_MIGRATED = (
        "certification.certificate.migrated",
        _("A certificate was moved to a new scheme version and reissued"),
    )
    EXPIRY_REMINDER_SENT = (
        "certification.expiry_reminder.sent",
        _("The holder was reminded that the certificate expires soon"),
    )
    SUSPENSION_DEADLINE_REACHED = (
        "certification.suspension.deadline_reached",
        _("A suspension reached its deadline: withdrawal or reduction proposed"),
    )
    SUSPENSION_ESCALATED = (
        "certification.suspension.escalated",
        _("A withdrawal proposal was left unanswered and escalated"),
    )
    BULK_OPERATION_PREVIEWED = (
        "certification.bulk_operation.previewed",
        _("A bulk operation on certificates was prepared for review"),
    )
    BULK_OPERATION_CONFIRMED = (
        "certification.bulk_operation.confirmed",
        _("A bulk operation on certificates was confirmed"),
    )
    BULK_OPERATION_EXECUTED = (
        "certification.bulk_operation.executed",
        _("A bulk operation on certificates was carried out"),
    )
    BULK_OPERATION_CANCELLED = (
        "certification.bulk_operation.cancelled",
        _("A bulk operation on certificates was cancelled"),
    )
