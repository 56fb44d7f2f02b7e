"""Certification decisions and certificates (ISO/IEC 17024 4.2, 9.4, 9.5, 9.7).

A certificate exists only because of a positive decision (R2): `Certificate.decision` is a
non-null one-to-one link. Each issue or reissue is a `CertificateVersion` (revision) with the
exact contents printed, their digest, the seal and the SHA-256 of the PDF; every change of status
is a `CertificateStatusChange`. The lifecycle is a protected state machine whose transitions only
guard; services record who, when and why.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import cast, override

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from peritus.certification.numbers import format_revision
from peritus.certification.status import CertificateStatus, PublicStatus, public_status
from peritus.core.models import TimeStampedModel

__all__ = [
    "Certificate",
    "CertificateNumberSeries",
    "CertificateStatus",
    "CertificateStatusChange",
    "CertificateTermsAcceptance",
    "CertificateVersion",
    "CertificationDecision",
    "DecisionKind",
    "DecisionOutcome",
    "ReissueReason",
    "SigningKey",
]

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_decision_reference() -> str:
    """A public reference such as D-7KQ2M9XD (never the primary key)."""
    return "D-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class DecisionOutcome(models.TextChoices):
    GRANT = "grant", _("Certification granted")
    REFUSE = "refuse", _("Certification refused")


class DecisionKind(models.TextChoices):
    ASSESSED = "assessed", _("Decision on the complete file")
    IMPORTED = "imported", _("Decision recorded by a previous system (imported)")


class CertificationDecision(TimeStampedModel):
    """The certification decision (clause 9.4): who decided what, when, on which evidence, why."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_decision_reference
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=DecisionKind.choices, default=DecisionKind.ASSESSED
    )
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certification_decisions",
        verbose_name=_("application"),
    )
    person = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        related_name="certification_decisions",
        verbose_name=_("person"),
    )
    scheme_version = models.ForeignKey(
        "schemes.SchemeVersion",
        on_delete=models.PROTECT,
        related_name="certification_decisions",
        verbose_name=_("scheme version"),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=DecisionOutcome.choices)
    rationale = models.TextField(_("rationale"))
    scope_items = models.ManyToManyField(
        "schemes.ScopeItem",
        blank=True,
        related_name="certification_decisions",
        verbose_name=_("scope granted"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decision maker"),
    )
    decided_at = models.DateTimeField(_("decided at"))
    evidence_snapshot = models.JSONField(
        _("evidence the decision rested on"),
        default=dict,
        help_text=_("References and facts of the file as it stood at the decision"),
    )
    evidence_digest = models.CharField(_("SHA-256 of the evidence snapshot"), max_length=64)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("For imported decisions: from where")
    )
    import_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="imported")
                | (Q(application__isnull=False) & Q(decided_by__isnull=False)),
                name="decision_on_file_has_application_and_maker",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(outcome="grant"),
                name="decision_one_grant_per_application",
            ),
        ]

    @override
    def __str__(self) -> str:
        return self.reference

    def get_scheme_id(self) -> int:
        return self.scheme_version.get_scheme_id()

    @property
    def is_grant(self) -> bool:
        return bool(self.outcome == DecisionOutcome.GRANT)


class CertificateNumberSeries(TimeStampedModel):
    """Each scheme's run of serials. Locked while a number is drawn; only ever counts up (R6)."""

    scheme = models.OneToOneField(
        "schemes.Scheme", on_delete=models.PROTECT, related_name="certificate_number_series"
    )
    prefix = models.CharField(_("prefix"), max_length=10, unique=True)
    last_serial = models.PositiveIntegerField(_("last serial drawn"), default=0)

    class Meta:
        ordering = ["prefix"]

    @override
    def __str__(self) -> str:
        return f"{self.prefix} (last {self.last_serial})"


class CertificateTermsAcceptance(TimeStampedModel):
    """The person accepted the rules on the use of certificates and marks (clause 9.7, R4)."""

    person = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, related_name="certificate_terms_acceptances"
    )
    scheme_version = models.ForeignKey(
        "schemes.SchemeVersion", on_delete=models.PROTECT, related_name="+"
    )
    terms_version = models.CharField(_("terms version"), max_length=80)
    terms_sha256 = models.CharField(_("terms text hash"), max_length=64)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"))
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scheme_version", "terms_sha256"],
                name="terms_accepted_once_per_text",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.person} accepted {self.terms_version}"


def is_within_validity(instance: models.Model) -> bool:
    return timezone.localdate() <= cast("Certificate", instance).expires_on


def is_past_validity(instance: models.Model) -> bool:
    return timezone.localdate() > cast("Certificate", instance).expires_on


class Certificate(FSMModelMixin, TimeStampedModel):
    """A certificate held by one person under one scheme version (the body's property)."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    number_key = models.CharField(
        max_length=40, unique=True, help_text=_("The number folded for look-ups (numbers.fold)")
    )
    holder = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    holder_name = models.CharField(
        _("name on the certificate"),
        max_length=300,
        help_text=_("As printed on the current revision"),
    )
    scheme = models.ForeignKey(
        "schemes.Scheme", on_delete=models.PROTECT, related_name="certificates"
    )
    scheme_version = models.ForeignKey(
        "schemes.SchemeVersion",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("scheme version"),
    )
    decision = models.OneToOneField(
        CertificationDecision,
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("decision"),
    )
    scope_items = models.ManyToManyField(
        "schemes.ScopeItem", related_name="certificates", verbose_name=_("scope")
    )
    scope = models.JSONField(
        _("scope as printed"), default=list, help_text=_("Code, title, level, limitations")
    )
    issued_on = models.DateField(_("issued on"))
    valid_from = models.DateField(_("effective from"))
    expires_on = models.DateField(_("expires on"), help_text=_("Last day of validity"))
    status = FSMField(
        _("status"),
        max_length=16,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
        protected=True,
    )
    status_since = models.DateField(_("status since"))
    revision = models.PositiveSmallIntegerField(_("current revision"), default=1)
    content_digest = models.CharField(
        _("content digest of the current revision"), max_length=64, blank=True
    )
    register_listed = models.BooleanField(
        _("listed in the public register"),
        default=False,
        help_text=_("Only with the person's consent (clause 9.4.9)"),
    )
    sort_name = models.CharField(max_length=300, help_text=_("Folded, family name first"))
    terms_acceptance = models.ForeignKey(
        CertificateTermsAcceptance,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("terms accepted at issue"),
    )
    external_reference = models.CharField(
        _("reference in a previous system"), max_length=64, blank=True
    )

    history = HistoricalRecords(excluded_fields=["scope", "sort_name", "content_digest"])

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("valid_from")),
                name="certificate_expires_after_effective_date",
            )
        ]
        # The register's name indexes (a covering b-tree and a trigram GIN on PostgreSQL) are
        # created by migrations 0002 and 0003, per database.
        indexes = [
            models.Index(fields=["scheme", "status", "expires_on"], name="certificate_by_status"),
        ]

    @override
    def __str__(self) -> str:
        return self.number

    def get_scheme_id(self) -> int:
        return int(self.scheme_id)

    def public_status(self, today: dt.date | None = None) -> PublicStatus:
        return public_status(
            status=self.status,
            status_since=self.status_since,
            expires_on=self.expires_on,
            today=today or timezone.localdate(),
        )

    @property
    def revision_number(self) -> str:
        return format_revision(self.number, self.revision)

    @transition(field=status, source=CertificateStatus.VALID, target=CertificateStatus.SUSPENDED)
    def suspend(self) -> None:
        """Only the status changes here; who, why and the deadline are recorded by the service."""

    @transition(
        field=status,
        source=CertificateStatus.SUSPENDED,
        target=CertificateStatus.VALID,
        conditions=[is_within_validity],
    )
    def reinstate(self) -> None:
        """A certificate past its expiry date cannot come back; it must be recertified."""

    @transition(
        field=status,
        source=[CertificateStatus.VALID, CertificateStatus.SUSPENDED],
        target=CertificateStatus.WITHDRAWN,
    )
    def withdraw(self) -> None:
        """Final: the holder must stop every claim and return the certificate (R10)."""

    @transition(
        field=status,
        source=[CertificateStatus.VALID, CertificateStatus.SUSPENDED],
        target=CertificateStatus.EXPIRED,
        conditions=[is_past_validity],
    )
    def expire(self) -> None:
        """Only once the last day of validity has passed (R8)."""


class ReissueReason(models.TextChoices):
    ISSUE = "issue", _("First issue")
    NAME_CHANGE = "name_change", _("Legal name change")
    CORRECTION = "correction", _("Correction")


def certificate_pdf_path(instance: CertificateVersion, filename: str) -> str:
    """One folder per month of issue (not per certificate: a million folders help nobody)."""
    issued = instance.issued_at
    return f"certificates/{issued:%Y/%m}/{instance.certificate.number_key}-r{instance.revision}.pdf"


class CertificateVersion(TimeStampedModel):
    """One revision of a certificate as issued: printed contents, seal and document hash (R6)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="versions")
    revision = models.PositiveSmallIntegerField(_("revision"))
    reason = models.CharField(_("reason"), max_length=16, choices=ReissueReason.choices)
    reason_note = models.TextField(_("why"), blank=True)
    content = models.JSONField(_("contents printed"))
    content_digest = models.CharField(_("content digest (SHA-256)"), max_length=64)
    key_id = models.CharField(_("signing key id"), max_length=32)
    seal = models.TextField(_("seal (compact JWS)"))
    pdf = models.FileField(_("document"), upload_to=certificate_pdf_path, max_length=200)
    pdf_sha256 = models.CharField(_("document SHA-256"), max_length=64)
    pdf_size = models.PositiveIntegerField(_("document size (bytes)"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["certificate_id", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "revision"], name="certificate_revision_unique"
            )
        ]

    @override
    def __str__(self) -> str:
        return format_revision(self.certificate.number, self.revision)

    def get_scheme_id(self) -> int:
        return self.certificate.get_scheme_id()

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None


class CertificateStatusChange(models.Model):
    """One change of a certificate's status: from, to, effective date, who and why (R7)."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=16, choices=CertificateStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=CertificateStatus.choices)
    effective_on = models.DateField(_("effective on"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["certificate_id", "recorded_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.from_status or '—'} → {self.to_status}"


class SigningKey(TimeStampedModel):
    """A public key that sealed certificates; stays published after rotation (ADR 0014)."""

    kid = models.CharField(_("key id"), max_length=32, unique=True)
    public_key = models.CharField(_("public key (base64url, raw Ed25519)"), max_length=64)
    first_used_at = models.DateTimeField(_("first used at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.TextField(_("why it was revoked"), blank=True)

    class Meta:
        ordering = ["first_used_at", "pk"]

    @override
    def __str__(self) -> str:
        return self.kid
