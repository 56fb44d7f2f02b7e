"""The status the public sees, computed at read time (R7: never stale).

A certificate is valid up to and including its expiry date. From the next day it shows as expired
even before the nightly `peritus tick` records the expiry; a suspended certificate whose date has
passed is expired too. A withdrawal stays a withdrawal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


SUPERSEDED = "superseded"  # a revision replaced by a reissue (not a status of the certificate)
LAPSING_STATUSES = frozenset({CertificateStatus.VALID, CertificateStatus.SUSPENDED})


@dataclasses.dataclass(frozen=True)
class PublicStatus:
    status: str
    since: dt.date


def expiry_effective_on(expires_on: dt.date) -> dt.date:
    """The first day a certificate is no longer valid."""
    return expires_on + dt.timedelta(days=1)


def is_past_expiry(expires_on: dt.date, today: dt.date) -> bool:
    return today > expires_on


def public_status(
    *, status: str, status_since: dt.date, expires_on: dt.date, today: dt.date
) -> PublicStatus:
    """The status and the date it took effect, as verification and the register show them."""
    if status in LAPSING_STATUSES and is_past_expiry(expires_on, today):
        return PublicStatus(CertificateStatus.EXPIRED.value, expiry_effective_on(expires_on))
    return PublicStatus(str(status), status_since)
