from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplianceEvent(models.TextChoices):
    RETALIATION_FLAGGED = (
        "compliance.retaliation.flagged",
        _("An adverse decision about someone who appealed or complained was flagged for review"),
    )
    RETALIATION_REVIEWED = (
        "compliance.retaliation.reviewed",
        _("Management reviewed a possible retaliation and recorded its conclusion"),
    )
