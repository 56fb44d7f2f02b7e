from django.db import models
from django.utils.translation import gettext_lazy as _


class SchemesEvent(models.TextChoices):
    SCHEME_CREATED = "schemes.scheme.created", _("A certification scheme was created")
    SCHEME_CHANGED = "schemes.scheme.changed", _("A scheme's description was changed")
    VERSION_DRAFTED = "schemes.scheme_version.drafted", _("A scheme version was drafted")
    VERSION_EDITED = "schemes.scheme_version.edited", _("A draft scheme version was edited")
    VERSION_APPROVED = (
        "schemes.scheme_version.approved",
        _("A scheme version was approved by the scheme committee"),
    )
    VERSION_REOPENED = (
        "schemes.scheme_version.reopened",
        _("An approved scheme version was returned to draft"),
    )
    VERSION_PUBLISHED = "schemes.scheme_version.published", _("A scheme version was published")
    VERSION_RETIRED = "schemes.scheme_version.retired", _("A scheme version was retired")
