from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationsEvent(models.TextChoices):
    APPLICATION_CREATED = "applications.application.created", _("An application was started")
    APPLICATION_UPDATED = "applications.application.updated", _("A draft application was changed")
    ATTESTATION_SIGNED = (
        "applications.application.attestation_signed",
        _("The applicant signed the attestation"),
    )
    ATTESTATION_VOIDED = (
        "applications.application.attestation_voided",
        _("A signed attestation was voided by a change to the application"),
    )
    CODE_OF_CONDUCT_ACCEPTED = (
        "applications.application.code_of_conduct_accepted",
        _("The applicant accepted the code of conduct"),
    )
    REGISTER_CONSENT_RECORDED = (
        "applications.application.register_consent_recorded",
        _("The applicant gave or refused consent to the public register"),
    )
    SUBMITTED = "applications.application.submitted", _("An application was submitted")
    REVIEW_STARTED = "applications.application.review_started", _("Eligibility review started")
    REVIEW_DECLINED = (
        "applications.application.review_declined",
        _("A reviewer declared a conflict and did not take the review"),
    )
    REVIEW_RELEASED = (
        "applications.application.review_released",
        _("An eligibility review was put back in the queue"),
    )
    INFORMATION_REQUESTED = (
        "applications.application.information_requested",
        _("The reviewer asked the applicant for more information"),
    )
    INFORMATION_PROVIDED = (
        "applications.application.information_provided",
        _("The applicant answered a request for information"),
    )
    INFORMATION_REMINDER_SENT = (
        "applications.application.information_reminder_sent",
        _("The applicant was reminded that an answer is due"),
    )
    FOUND_ELIGIBLE = (
        "applications.application.found_eligible",
        _("The applicant was found eligible"),
    )
    FOUND_NOT_ELIGIBLE = (
        "applications.application.found_not_eligible",
        _("The applicant was found not eligible"),
    )
    WITHDRAWN = "applications.application.withdrawn", _("The applicant withdrew the application")
    EVIDENCE_UPLOADED = "applications.evidence.uploaded", _("An evidence file was uploaded")
    EVIDENCE_REMOVED = "applications.evidence.removed", _("An evidence file was removed")
    RESTRICTED_EVIDENCE_VIEWED = (
        "applications.evidence.restricted_viewed",
        _("A restricted document (accommodation support) was opened"),
    )
    ACCOMMODATION_REQUESTED = (
        "applications.accommodation.requested",
        _("An accommodation was requested"),
    )
    ACCOMMODATION_APPROVED = (
        "applications.accommodation.approved",
        _("An accommodation request was approved"),
    )
    ACCOMMODATION_REFUSED = (
        "applications.accommodation.refused",
        _("An accommodation request was refused"),
    )
