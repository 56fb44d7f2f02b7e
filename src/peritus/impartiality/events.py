from django.db import models
from django.utils.translation import gettext_lazy as _


class ImpartialityEvent(models.TextChoices):
    DECLARATION_RECORDED = (
        "impartiality.conflict_declaration.recorded",
        _("A declaration of interests was recorded"),
    )
    ACTION_REFUSED = (
        "impartiality.refusal.recorded",
        _("An action was refused to protect impartiality"),
    )
    MITIGATION_PROPOSED = (
        "impartiality.conflict_mitigation.proposed",
        _("A measure to mitigate a conflict of interest was proposed"),
    )
    MITIGATION_APPROVED = (
        "impartiality.conflict_mitigation.approved",
        _("A measure to mitigate a conflict of interest was approved"),
    )
    MITIGATION_REJECTED = (
        "impartiality.conflict_mitigation.rejected",
        _("A measure to mitigate a conflict of interest was rejected"),
    )
    TRAINING_RECORDED = (
        "impartiality.training_record.recorded",
        _("A trainer–trainee link was recorded"),
    )
    RISK_RECORDED = "impartiality.risk.recorded", _("An impartiality risk was recorded")
    RISK_UPDATED = "impartiality.risk.updated", _("An impartiality risk was updated")
    RISK_CONTROLLED = (
        "impartiality.risk.controlled",
        _("An impartiality risk was marked as controlled"),
    )
    RISK_CLOSED = "impartiality.risk.closed", _("An impartiality risk was closed")
    RISK_REOPENED = "impartiality.risk.reopened", _("An impartiality risk was reopened")
    RISK_REVIEW_REMINDED = (
        "impartiality.risk.review_reminded",
        _("The impartiality committee was reminded of a risk review that is due"),
    )
    RISK_REVIEWED = (
        "impartiality.risk.reviewed",
        _("The impartiality committee reviewed a risk"),
    )
