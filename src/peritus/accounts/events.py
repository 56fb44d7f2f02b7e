from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountsEvent(models.TextChoices):
    USER_SIGNED_UP = "accounts.user.signed_up", _("A person created an account")
    PERSON_CREATED = "accounts.person.created", _("A person record was created")
    PERSON_NAME_CHANGED = "accounts.person.name_changed", _("A person's legal name was changed")
    ROLE_ASSIGNED = "accounts.role_assignment.created", _("A role was assigned")
    ROLE_REVOKED = "accounts.role_assignment.revoked", _("A role was revoked")
    AGREEMENT_PUBLISHED = (
        "accounts.agreement.published",
        _("A personnel agreement version was published"),
    )
    AGREEMENT_ACCEPTED = "accounts.agreement.accepted", _("A personnel agreement was accepted")
    API_TOKEN_CREATED = "accounts.api_token.created", _("An API token was created")
    API_TOKEN_REVOKED = "accounts.api_token.revoked", _("An API token was revoked")
