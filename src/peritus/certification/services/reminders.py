"""Reminders before expiry (9.6, R8): at 90, 30 and 7 days by default (`reminder_days`).

Each threshold is sent at most once per certificate and expiry date (a unique row records it).
A late run sends only the nearest threshold still due — a holder 5 days from expiry who was never
reminded gets the 7-day reminder, not three at once. A recertification moves the expiry date, so
the reminders start again for the new date. Staff can also send a reminder now (bulk operations).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.audit_trail.services import EventSpec, record_event, record_events
from peritus.certification.errors import CertificationError
from peritus.certification.events import CertificationEvent
from peritus.certification.lifecycle_checks import status_allows
from peritus.certification.models import BulkOperation, Certificate, ExpiryReminder
from peritus.certification.services.lifecycle import lock_certificate
from peritus.certification.services.revisions import notify_holder_of, notify_holders
from peritus.certification.status import LAPSING_STATUSES
from peritus.core.conf import peritus_setting

DEFAULT_REMINDER_DAYS = (90, 30, 7)
REMINDER_BATCH = 1000
REMINDER_NOTICE = "certification_expiry_reminder"


def reminder_days() -> tuple[int, ...]:
    """The thresholds, nearest first (e.g. 7, 30, 90).

    `PERITUS["EXPIRY_REMINDER_DAYS"]`, else `PERITUS_EXPIRY_REMINDER_DAYS`, else 90/30/7.
    """
    configured: Sequence[int]
    try:
        configured = peritus_setting("EXPIRY_REMINDER_DAYS")
    except KeyError:
        configured = getattr(settings, "PERITUS_EXPIRY_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)
    return tuple(sorted({int(days) for days in configured if int(days) >= 0}))


def _due(today: dt.date, *, lower: int, upper: int) -> list[int]:
    """Certificates whose expiry is `lower`..`upper` days away, not reminded at `upper` or nearer."""
    reminded = ExpiryReminder.objects.filter(
        certificate=OuterRef("pk"),
        expires_on=OuterRef("expires_on"),
        days_before__lte=upper,
        manual=False,
    )
    return list(
        Certificate.objects.filter(
            status__in=[str(status) for status in LAPSING_STATUSES],
            expires_on__gte=today + dt.timedelta(days=lower),
            expires_on__lte=today + dt.timedelta(days=upper),
        )
        .filter(~Exists(reminded))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send_expiry_reminders(*, now: dt.datetime) -> int:
    """Send every reminder due today, once each; returns how many were sent."""
    today = timezone.localdate(now)
    sent = 0
    lower = 0
    for upper in reminder_days():
        due = _due(today, lower=lower, upper=upper)
        for start in range(0, len(due), REMINDER_BATCH):
            sent += _remind_batch(
                due[start : start + REMINDER_BATCH], days=upper, today=today, now=now
            )
        lower = upper + 1
    return sent


@transaction.atomic(durable=True)
def _remind_batch(ids: list[int], *, days: int, today: dt.date, now: dt.datetime) -> int:
    # Locked and checked again: a decision may have moved the expiry since the selection.
    certificates = [
        certificate
        for certificate in Certificate.objects.select_for_update(of=("self",))
        .select_related("holder__user", "scheme_version__scheme")
        .filter(pk__in=ids, status__in=[str(status) for status in LAPSING_STATUSES])
        .order_by("pk")
        if 0 <= (certificate.expires_on - today).days <= days
    ]
    already = set(
        ExpiryReminder.objects.filter(
            certificate_id__in=[certificate.pk for certificate in certificates],
            days_before__lte=days,
            manual=False,
        ).values_list("certificate_id", "expires_on")
    )
    certificates = [c for c in certificates if (c.pk, c.expires_on) not in already]
    ExpiryReminder.objects.bulk_create(
        [
            ExpiryReminder(
                certificate=certificate,
                expires_on=certificate.expires_on,
                days_before=days,
                sent_at=now,
            )
            for certificate in certificates
        ],
        batch_size=1000,
    )
    record_events(
        [
            EventSpec(
                CertificationEvent.EXPIRY_REMINDER_SENT,
                actor=None,
                subject=certificate,
                data={
                    "number": certificate.number,
                    "expires_on": certificate.expires_on,
                    "threshold_days": days,
                    "days_left": (certificate.expires_on - today).days,
                },
                related=[("accounts.person", certificate.holder_id)],
                occurred_at=now,
            )
            for certificate in certificates
        ]
    )
    notify_holders(
        certificates,
        template=REMINDER_NOTICE,
        context=lambda certificate: {
            "expires_on": certificate.expires_on,
            "days_left": (certificate.expires_on - today).days,
        },
    )
    return len(certificates)


def _announce(certificate: Certificate, *, days_left: int) -> None:
    notify_holder_of(
        certificate,
        template=REMINDER_NOTICE,
        context={"expires_on": certificate.expires_on, "days_left": days_left},
    )


@transaction.atomic(durable=True)
def send_expiry_reminder(
    *, certificate: Certificate, actor: User, bulk_operation: BulkOperation | None = None
) -> ExpiryReminder:
    """Remind one holder now (an officer's act, e.g. from a bulk operation)."""
    require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=certificate.get_scheme_id())
    now = timezone.now()
    today = timezone.localdate(now)
    certificate = lock_certificate(certificate)
    check = status_allows(certificate, "remind", today=today)
    if not check.allowed:
        raise CertificationError(check.code, check.message)
    days_left = (certificate.expires_on - today).days
    reminder = ExpiryReminder.objects.create(
        certificate=certificate,
        expires_on=certificate.expires_on,
        days_before=days_left,
        sent_at=now,
        manual=True,
        sent_by=actor,
    )
    _announce(certificate, days_left=days_left)
    record_event(
        CertificationEvent.EXPIRY_REMINDER_SENT,
        actor=actor,
        actor_role=RoleCode.CERTIFICATION_OFFICER,
        subject=certificate,
        reason=_("Sent by staff"),
        related=[bulk_operation] if bulk_operation is not None else [],
        data={
            "number": certificate.number,
            "expires_on": certificate.expires_on,
            "days_left": days_left,
            "manual": True,
        },
        occurred_at=now,
    )
    return reminder
