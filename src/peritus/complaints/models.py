"""Complaints (ISO/IEC 17024 clause 9.9; rules R23, R24).

Anyone may complain — about the body, a certified person, or an examiner — through the public
form (no account needed), the portal, or by email or letter recorded by staff. Each complaint
gets a reference and an acknowledgement at once, is triaged (R24: about the body, about a
certified person, or out of scope, with reasons), handled by someone uninvolved who declared
their interests, reported on while it runs, decided with findings, and closed with a formal
notice. It may lead to suspension proceedings against a certified person and to corrective
action for the body. Whether the outcome is published is recorded as agreed with the parties.
"""

from __future__ import annotations

from typing import override

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from peritus.core.models import TimeStampedModel
from peritus.core.references import random_reference


def new_complaint_reference() -> str:
    """A public reference such as CP-7KQ2M9XD (never the primary key)."""
    return random_reference("CP-")


class ComplaintAbout(models.TextChoices):
    """What the complainant says the complaint is about (triage decides what it is)."""

    BODY = "body", _("The certification body or its service")
    CERTIFIED_PERSON = "certified_person", _("A certified person")
    EXAMINER = "examiner", _("An examiner or a member of the body's staff")
    OTHER = "other", _("Something else")


class ComplaintChannel(models.TextChoices):
    PUBLIC_FORM = "public_form", _("Public complaint form")
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone or in person")


class TriageCategory(models.TextChoices):
    """R24: relevance decided before handling."""

    ABOUT_BODY = "about_body", _("About the body's certification activities")
    ABOUT_CERTIFIED_PERSON = (
        "about_certified_person",
        _("About a certified person (may open suspension proceedings)"),
    )
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("Being handled")
    RESOLVED = "resolved", _("Outcome given")
    CLOSED = "closed", _("Closed")
    OUT_OF_SCOPE = "out_of_scope", _("Rejected: not a complaint the body handles")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS)
FINISHED_STATUSES = (
    ComplaintStatus.CLOSED,
    ComplaintStatus.OUT_OF_SCOPE,
    ComplaintStatus.WITHDRAWN,
)


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")


class Publicity(models.TextChoices):
    """How far the complaint and its outcome are made public, as agreed with the parties (9.9)."""

    NOT_PUBLISHED = "not_published", _("Not made public")
    ANONYMISED = "anonymised", _("An anonymised summary may be published")
    PUBLISHED = "published", _("The outcome may be published")


class Complaint(FSMModelMixin, TimeStampedModel):
    """One complaint, from receipt to its formal closure (9.9)."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_complaint_reference
    )
    channel = models.CharField(_("received by"), max_length=12, choices=ComplaintChannel.choices)

    # Who complains
    complainant_name = models.CharField(_("your name"), max_length=200)
    complainant_email = models.EmailField(
        _("your email address"),
        blank=True,
        help_text=_("Empty only for complaints by phone or letter; acknowledged in writing then"),
    )
    complainant_phone = models.CharField(_("phone"), max_length=40, blank=True)
    complainant_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    complainant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    complainant_person = models.ForeignKey(
        "accounts.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_made",
        help_text=_("When the complainant is someone the body certifies (R25)"),
    )

    # What about
    about = models.CharField(_("about"), max_length=20, choices=ComplaintAbout.choices)
    subject_description = models.CharField(
        _("who or what the complaint is about"),
        max_length=300,
        blank=True,
        help_text=_("A name, a certificate number, an exam session …"),
    )
    subject_person = models.ForeignKey(
        "accounts.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
        verbose_name=_("certified person complained about"),
    )
    subject_certificate = models.ForeignKey(
        "certification.Certificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("certificate concerned"),
    )
    subject_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
        verbose_name=_("member of staff or examiner complained about"),
    )
    description = models.TextField(_("what happened"))
    desired_outcome = models.TextField(_("what the complainant would like"), blank=True)
    occurred_on = models.DateField(_("when it happened"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = FSMField(
        _("status"),
        max_length=16,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
        protected=True,
        db_index=True,
    )

    # Deadlines and communication (R23)
    acknowledge_due_on = models.DateField(_("acknowledge by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledgement_note = models.CharField(
        _("how it was acknowledged"), max_length=200, blank=True
    )
    triage_due_on = models.DateField(_("triage by"))
    resolution_due_on = models.DateField(_("outcome by"))
    last_update_at = models.DateTimeField(
        _("last written to the complainant"), null=True, blank=True
    )
    acknowledgement_overdue_notified = models.BooleanField(default=False)
    triage_overdue_notified = models.BooleanField(default=False)
    resolution_overdue_notified = models.BooleanField(default=False)

    # Triage (R24)
    triage_category = models.CharField(
        _("triage"), max_length=24, choices=TriageCategory.choices, blank=True
    )
    triage_reasons = models.TextField(_("reasons of the triage"), blank=True)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Independent handling
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_handled",
        verbose_name=_("handler"),
    )
    handler_assigned_at = models.DateTimeField(null=True, blank=True)
    handler_declared_at = models.DateTimeField(
        _("handler declared no conflict at"), null=True, blank=True
    )

    # Outcome and closure
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ComplaintOutcome.choices, blank=True
    )
    findings = models.TextField(_("findings and reasons"), blank=True)
    resolved_at = models.DateTimeField(_("outcome given at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    publicity = models.CharField(
        _("publicity of the outcome"),
        max_length=16,
        choices=Publicity.choices,
        default=Publicity.NOT_PUBLISHED,
    )
    publicity_agreement = models.TextField(
        _("how publicity was agreed with the parties"), blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure_note = models.TextField(_("closure note"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("why it was withdrawn"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "resolution_due_on"]),
            models.Index(fields=["complainant_email"]),
        ]

    @override
    def __str__(self) -> str:
        return self.reference

    def get_scheme_id(self) -> int | None:
        certificate = self.subject_certificate
        return certificate.scheme_id if certificate is not None else None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @transition(field=status, source=ComplaintStatus.RECEIVED, target=ComplaintStatus.IN_PROGRESS)
    def accept(self) -> None:
        """Triaged in scope: about the body, or about a certified person (R24)."""

    @transition(field=status, source=ComplaintStatus.RECEIVED, target=ComplaintStatus.OUT_OF_SCOPE)
    def dismiss_as_out_of_scope(self) -> None:
        """Triaged out of scope, with reasons written to the complainant (R24)."""

    @transition(field=status, source=ComplaintStatus.IN_PROGRESS, target=ComplaintStatus.RESOLVED)
    def resolve(self) -> None:
        """The handler's outcome and findings are written to the complainant."""

    @transition(field=status, source=ComplaintStatus.RESOLVED, target=ComplaintStatus.CLOSED)
    def close(self) -> None:
        """Handling has ended: the formal closure notice is sent (R23)."""

    @transition(field=status, source=list(OPEN_STATUSES), target=ComplaintStatus.WITHDRAWN)
    def withdraw(self) -> None:
        """The complainant withdrew the complaint before its outcome."""


class ComplaintNote(TimeStampedModel):
    """An investigation note: for the handler and the quality manager, not the complainant."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))

    class Meta:
        ordering = ["complaint_id", "created_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.complaint.reference} note {self.pk}"


class ComplaintUpdate(TimeStampedModel):
    """What the body wrote to the complainant while the complaint ran (R23: progress reports)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("message"))

    class Meta:
        ordering = ["complaint_id", "created_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.complaint.reference} update {self.pk}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for a decision maker")
    SUSPENDED = "suspended", _("Certificate suspended")
    DECLINED = "declined", _("Declined by the decision maker")


class SuspensionProposal(TimeStampedModel):
    """A complaint handler proposes to suspend a certificate (9.5 via 9.9); a decision maker who
    took no part in the holder's file decides, because suspension is a certification decision."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="suspension_proposals"
    )
    certificate = models.ForeignKey(
        "certification.Certificate", on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    reasons = models.TextField(_("reasons"))
    conditions = models.TextField(_("conditions for reinstatement"))
    deadline = models.DateField(_("proposed deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "certificate"],
                condition=models.Q(status="proposed"),
                name="suspension_proposal_open_once",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.complaint.reference}: suspend {self.certificate}"

    def get_scheme_id(self) -> int:
        return int(self.certificate.scheme_id)
