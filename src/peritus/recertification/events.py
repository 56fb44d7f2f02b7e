from django.db import models
from django.utils.translation import gettext_lazy as _


class RecertificationEvent(models.TextChoices):
    POLICY_SET = "recertification.policy.set", _("The recertification rules of a version were set")
    CPD_LOGGED = "recertification.cpd.logged", _("A CPD activity was logged with its evidence")
    SUBMITTED = (
        "recertification.submission.submitted",
        _("A surveillance or recertification submission was made"),
    )
    SAMPLE_DRAWN = (
        "recertification.sample.drawn",
        _("A submission was drawn for the audit sample (or not), with the draw recorded"),
    )
    REVIEWED = (
        "recertification.submission.reviewed",
        _("A recertification submission was reviewed and a recommendation made"),
    )
    SURVEILLANCE_ACCEPTED = (
        "recertification.surveillance.accepted",
        _("A surveillance submission was accepted"),
    )
    SURVEILLANCE_REFUSED = (
        "recertification.surveillance.refused",
        _("A surveillance submission was refused"),
    )
    RECERTIFIED = (
        "recertification.submission.granted",
        _("Recertification was granted on a submission"),
    )
    RECERTIFICATION_REFUSED = (
        "recertification.submission.refused",
        _("Recertification was refused on a submission"),
    )
    SUSPENSION_OPENED = (
        "recertification.surveillance.suspension_opened",
        _("A decision maker suspended a certificate after refused surveillance"),
    )
    NOTICES_SENT = (
        "recertification.notices.sent",
        _("Scheduled surveillance or recertification notices were sent"),
    )
