from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditTrailEvent(models.TextChoices):
    CHAIN_BROKEN = "audit_trail.chain.broken", _("The audit chain was found broken")
