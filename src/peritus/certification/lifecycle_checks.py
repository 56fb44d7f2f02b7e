"""Who may decide about an issued certificate, and which actions its status allows (9.5, R1).

These reads serve the lifecycle services (which are what block) and the office pages (which show
the same reasons before anyone clicks). A decision after issue — suspension, reinstatement,
withdrawal, scope reduction, recertification — keeps the segregation of duties of the first
decision: the decider is not the holder, did not examine, invigilate or review the holder's
file, did not train them within the look-back window and declared no conflict with them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.certification.decision_file import Obstacle, involvements, training_lookback_years
from peritus.certification.models import Certificate, CertificateStatus
from peritus.impartiality.selectors import has_declared_conflict, trained_within

DEFAULT_SUSPENSION_MAX_DAYS = 365
DEFAULT_APPEAL_WINDOW_DAYS = 30


def suspension_max_days() -> int:
    """The longest a suspension may run before a decision (scheme practice; R9)."""
    return int(getattr(settings, "PERITUS_SUSPENSION_MAX_DAYS", DEFAULT_SUSPENSION_MAX_DAYS))


def appeal_window_days() -> int:
    return int(getattr(settings, "PERITUS_APPEAL_WINDOW_DAYS", DEFAULT_APPEAL_WINDOW_DAYS))


def holder_involvements(
    user: Any, certificate: Certificate, *, on: dt.date | None = None
) -> list[Obstacle]:
    """Why `user` may not decide about `certificate`: every way they are involved with its holder.

    With the holder's original application, the first decision's checks apply in full; for a
    certificate brought in from a previous register, the checks that need no application.
    """
    application = certificate.decision.application
    if application is not None:
        return involvements(user, application, on=on)
    person = certificate.holder
    user_id = getattr(user, "pk", None)
    found: list[Obstacle] = []
    if person.user_id is not None and person.user_id == user_id:
        found.append(
            Obstacle("decider_is_candidate", _("You cannot decide on your own certification."))
        )
    years = training_lookback_years()
    if trained_within(user, person, years=years, on=on or timezone.localdate()):
        found.append(
            Obstacle(
                "decider_trained_candidate",
                _("You trained this holder within the last %(years)s years.") % {"years": years},
            )
        )
    if has_declared_conflict(user, person):
        found.append(
            Obstacle(
                "decider_declared_conflict",
                _("You declared a conflict of interest with this holder."),
            )
        )
    return found


@dataclasses.dataclass(frozen=True)
class StatusCheck:
    """Whether the certificate's status allows an action, and if not why (a stable code)."""

    allowed: bool
    code: str = ""
    message: str = ""


def _refusal(public: str, action: str) -> StatusCheck:
    if public == CertificateStatus.WITHDRAWN:
        return StatusCheck(
            False,
            "certificate_withdrawn",
            _("The certificate is withdrawn: nothing can change it."),
        )
    if public == CertificateStatus.EXPIRED:
        return StatusCheck(
            False,
            "certificate_expired",
            _("The certificate has expired: only a recertification can bring it back."),
        )
    if action == "suspend" and public == CertificateStatus.SUSPENDED:
        return StatusCheck(False, "already_suspended", _("The certificate is already suspended."))
    if action in ("reinstate", "extend_suspension"):
        return StatusCheck(False, "not_suspended", _("Only a suspended certificate is reinstated."))
    if public == CertificateStatus.SUSPENDED:
        return StatusCheck(
            False,
            "certificate_suspended",
            _("The certificate is suspended: end the suspension first."),
        )
    return StatusCheck(False, "invalid_status", _("The certificate's status does not allow this."))


ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "suspend": (CertificateStatus.VALID,),
    "extend_suspension": (CertificateStatus.SUSPENDED,),
    "reinstate": (CertificateStatus.SUSPENDED,),
    "withdraw": (CertificateStatus.VALID, CertificateStatus.SUSPENDED),
    "reduce_scope": (CertificateStatus.VALID, CertificateStatus.SUSPENDED),
    "surrender": (CertificateStatus.VALID, CertificateStatus.SUSPENDED),
    "migrate": (CertificateStatus.VALID,),
    "remind": (CertificateStatus.VALID, CertificateStatus.SUSPENDED),
}


def status_allows(certificate: Certificate, action: str, *, today: dt.date) -> StatusCheck:
    """Whether the status the public sees today allows `action` (an expired date counts)."""
    public = certificate.public_status(today).status
    if public in ALLOWED_FROM[action]:
        return StatusCheck(True)
    return _refusal(public, action)
