"""Certification decisions and certificates (ISO/IEC 17024 4.2, 9.4, 9.5, 9.7).

A certificate exists only because of a positive decision (R2): `Certificate.decision` is a
non-null one-to-one link. Each issue or reissue is a `CertificateVersion` (revision) with the
exact contents printed, their digest, the seal and the SHA-256 of the PDF; every change of status
is a `CertificateStatusChange`. The lifecycle is a protected state machine whose transitions only
guard; services record who, when and why.
"""

from __future__ import annotations

import datetime as dt
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
from peritus.core.references import random_reference

__all__ = [
    "BulkItemOutcome",
    "BulkOperation",
    "BulkOperationItem",
    "BulkOperationKind",
    "BulkOperationStatus",
    "Certificate",
    "CertificateNumberSeries",
    "CertificateStatus",
    "CertificateStatusChange",
    "CertificateTermsAcceptance",
    "CertificateVersion",
    "CertificationDecision",
    "DecisionKind",
    "DecisionOutcome",
    "ExpiryReminder",
    "LifecycleAction",
    "LifecycleDecision",
    "ReissueReason",
    "SigningKey",
    "Suspension",
    "SuspensionStatus",
]


def new_decision_reference() -> str:
    """A public reference such as D-7KQ2M9XD (never the primary key)."""
    return random_reference("D-")


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

    @transition(
        field=status,
        source=[CertificateStatus.VALID, CertificateStatus.EXPIRED],
        target=CertificateStatus.VALID,
    )
    def recertify(self) -> None:
        """A recertification decision extends validity (R8); an expired certificate comes back
        only within the scheme's grace period, which the service checks."""


class ReissueReason(models.TextChoices):
    ISSUE = "issue", _("First issue")
    NAME_CHANGE = "name_change", _("Legal name change")
    CORRECTION = "correction", _("Correction")
    SCOPE_REDUCTION = "scope_reduction", _("Scope reduced")
    RECERTIFICATION = "recertification", _("Recertification")
    SCHEME_MIGRATION = "scheme_migration", _("Moved to a new scheme version")


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
    """A public key that sealed certificates; stays published after rotation (ADR 0007)."""

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


# Lifecycle after issue (9.5, 9.6): decisions, suspensions, reminders, bulk operations -----------


def new_lifecycle_reference() -> str:
    """A public reference such as L-7KQ2M9XD for a decision about an issued certificate."""
    return random_reference("L-")


def new_bulk_reference() -> str:
    return random_reference("B-")


class LifecycleAction(models.TextChoices):
    SUSPEND = "suspend", _("Suspension")
    EXTEND_SUSPENSION = "extend_suspension", _("Suspension deadline extended")
    REINSTATE = "reinstate", _("Reinstatement")
    WITHDRAW = "withdraw", _("Withdrawal")
    REDUCE_SCOPE = "reduce_scope", _("Scope reduction")
    SURRENDER = "surrender", _("Voluntary surrender by the holder")
    RECERTIFY = "recertify", _("Recertification")
    MIGRATE = "migrate", _("Moved to a new scheme version")


class LifecycleDecision(TimeStampedModel):
    """A decision about an issued certificate (4.2: maintain, recertify, reduce, suspend,
    withdraw), or an act with the same weight (the holder's surrender, a scheme-version move).

    Who, in which role, when, why, what changed (status, scope, validity, revision) and the notice
    the holder was sent: the decision log an assessor reads.
    """

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_lifecycle_reference
    )
    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="lifecycle_decisions"
    )
    action = models.CharField(_("action"), max_length=20, choices=LifecycleAction.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    actor_role = models.CharField(_("in the role"), max_length=64, blank=True)
    decided_at = models.DateTimeField(_("decided at"))
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reasons"))
    conditions = models.TextField(_("conditions for reinstatement"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    from_status = models.CharField(_("status before"), max_length=16, blank=True)
    to_status = models.CharField(_("status after"), max_length=16, blank=True)
    scope_before = models.JSONField(_("scope before"), default=list)
    scope_after = models.JSONField(_("scope after"), default=list)
    expires_before = models.DateField(_("expiry before"), null=True, blank=True)
    expires_after = models.DateField(_("expiry after"), null=True, blank=True)
    revision = models.PositiveSmallIntegerField(_("revision issued"), null=True, blank=True)
    details = models.JSONField(_("references"), default=dict, blank=True)
    notice = models.ForeignKey(
        "notifications.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("notice sent"),
    )
    bulk_operation = models.ForeignKey(
        "certification.BulkOperation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]

    @override
    def __str__(self) -> str:
        return self.reference

    def get_scheme_id(self) -> int:
        return self.certificate.get_scheme_id()


class SuspensionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REINSTATED = "reinstated", _("Ended by reinstatement")
    WITHDRAWN = "withdrawn", _("Ended by withdrawal")
    REDUCED = "reduced", _("Ended by a scope reduction")
    SURRENDERED = "surrendered", _("Ended by the holder's surrender")
    LAPSED = "lapsed", _("Ended by expiry")


class Suspension(FSMModelMixin, TimeStampedModel):
    """A suspension with its reasons, conditions and deadline (9.5, R9).

    Open until a decision ends it. At the deadline `peritus tick` proposes withdrawal or a scope
    reduction to the decision makers (`proposed_at`), and escalates if nobody acts
    (`escalated_at`).
    """

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="suspensions"
    )
    decision = models.OneToOneField(
        LifecycleDecision, on_delete=models.PROTECT, related_name="suspension"
    )
    reason = models.TextField(_("reasons"))
    conditions = models.TextField(_("conditions for reinstatement"))
    starts_on = models.DateField(_("suspended from"))
    deadline = models.DateField(_("deadline"))
    status = FSMField(
        _("status"),
        max_length=16,
        choices=SuspensionStatus.choices,
        default=SuspensionStatus.OPEN,
        protected=True,
    )
    resolved_on = models.DateField(_("ended on"), null=True, blank=True)
    resolution = models.ForeignKey(
        LifecycleDecision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ended by"),
    )
    proposed_at = models.DateTimeField(
        _("withdrawal or reduction proposed at"), null=True, blank=True
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"],
                condition=Q(status="open"),
                name="suspension_one_open_per_certificate",
            )
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="suspension_by_deadline")]

    @override
    def __str__(self) -> str:
        return f"{self.certificate_id} suspended {self.starts_on} → {self.deadline}"

    def get_scheme_id(self) -> int:
        return self.certificate.get_scheme_id()

    @transition(field=status, source=SuspensionStatus.OPEN, target=SuspensionStatus.REINSTATED)
    def end_by_reinstatement(self) -> None:
        """The conditions were met; a decision maker reinstated the certificate."""

    @transition(field=status, source=SuspensionStatus.OPEN, target=SuspensionStatus.WITHDRAWN)
    def end_by_withdrawal(self) -> None:
        """Unresolved: the certificate was withdrawn (9.5)."""

    @transition(field=status, source=SuspensionStatus.OPEN, target=SuspensionStatus.REDUCED)
    def end_by_reduction(self) -> None:
        """Unresolved for part of the scope: the rest is reinstated on a reduced certificate."""

    @transition(field=status, source=SuspensionStatus.OPEN, target=SuspensionStatus.SURRENDERED)
    def end_by_surrender(self) -> None:
        """The holder gave the certificate up."""

    @transition(field=status, source=SuspensionStatus.OPEN, target=SuspensionStatus.LAPSED)
    def end_by_expiry(self) -> None:
        """The certificate reached its expiry date while suspended."""


class ExpiryReminder(models.Model):
    """A reminder sent before expiry: at most once per certificate, expiry date and threshold."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="expiry_reminders"
    )
    expires_on = models.DateField(_("for the expiry on"))
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    sent_at = models.DateTimeField(_("sent at"))
    manual = models.BooleanField(_("sent by staff"), default=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["certificate_id", "sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "expires_on", "days_before"],
                condition=Q(manual=False),
                name="expiry_reminder_once_per_threshold",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.days_before} days before {self.expires_on}"


class BulkOperationKind(models.TextChoices):
    SUSPEND = "suspend", _("Suspend")
    WITHDRAW = "withdraw", _("Withdraw")
    SEND_REMINDERS = "send_reminders", _("Send expiry reminders now")
    MIGRATE = "migrate", _("Move holders to a new scheme version")


class BulkOperationStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed, awaiting confirmation")
    SCHEDULED = "scheduled", _("Confirmed, scheduled for its date")
    EXECUTED = "executed", _("Executed")
    CANCELLED = "cancelled", _("Cancelled")


class BulkOperation(FSMModelMixin, TimeStampedModel):
    """One staff action over a list of certificates, previewed, then confirmed (no rule skipped:
    each item goes through the same service, and the report says what was refused and why)."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_bulk_reference
    )
    kind = models.CharField(_("kind"), max_length=16, choices=BulkOperationKind.choices)
    scheme = models.ForeignKey(
        "schemes.Scheme", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_version = models.ForeignKey(
        "schemes.SchemeVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("new scheme version"),
    )
    effective_on = models.DateField(_("transition date"), null=True, blank=True)
    reason = models.TextField(_("reasons"), blank=True)
    conditions = models.TextField(_("conditions for reinstatement"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = FSMField(
        _("status"),
        max_length=16,
        choices=BulkOperationStatus.choices,
        default=BulkOperationStatus.PREVIEWED,
        protected=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @override
    def __str__(self) -> str:
        return self.reference

    def get_scheme_id(self) -> int | None:
        return int(self.scheme_id) if self.scheme_id is not None else None

    @transition(
        field=status, source=BulkOperationStatus.PREVIEWED, target=BulkOperationStatus.SCHEDULED
    )
    def schedule(self) -> None:
        """Confirmed; runs on its transition date."""

    @transition(
        field=status,
        source=[BulkOperationStatus.PREVIEWED, BulkOperationStatus.SCHEDULED],
        target=BulkOperationStatus.EXECUTED,
    )
    def execute(self) -> None:
        """Every item went through its service; the report says what was done and refused."""

    @transition(
        field=status,
        source=[BulkOperationStatus.PREVIEWED, BulkOperationStatus.SCHEDULED],
        target=BulkOperationStatus.CANCELLED,
    )
    def cancel(self) -> None:
        """Nothing more will be done."""


class BulkItemOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class BulkOperationItem(models.Model):
    """One certificate of a bulk operation and what became of it."""

    operation = models.ForeignKey(BulkOperation, on_delete=models.PROTECT, related_name="items")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("position"))
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=BulkItemOutcome.choices,
        default=BulkItemOutcome.PENDING,
    )
    code = models.CharField(_("refusal code"), max_length=64, blank=True)
    message = models.TextField(_("refusal"), blank=True)
    foreseen_code = models.CharField(_("refusal foreseen at preview"), max_length=64, blank=True)

    class Meta:
        ordering = ["operation_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "certificate"], name="bulk_item_once_per_certificate"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.operation_id}#{self.position}: {self.outcome}"
