"""Automatic expiry at the end of validity (9.6, R7, R8), set-based.

The public status already reads "expired" from the day after the last day of validity (the
status is derived at read time, `status.public_status`); this job makes the record true. It
selects the certificates due once, then works in batches, each one transaction: the rows locked
and checked again, one UPDATE per expiry date, the history rows, status rows and suspension
closures in bulk, the audit events appended with one chain lock (`record_events`), and one notice
per holder. It is idempotent: an expired certificate is never selected again, so a second run
changes nothing, and a late run catches up on every day it missed (each certificate still
expires once, effective the day after its own last day).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.audit_trail.services import EventSpec, record_events
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    Suspension,
    SuspensionStatus,
)
from peritus.certification.services.revisions import notify_holders
from peritus.certification.status import LAPSING_STATUSES, expiry_effective_on

EXPIRY_BATCH = 2000
EXPIRY_NOTICE = "certification_expiry_recorded"


def _lapsing() -> list[str]:
    return sorted(str(status) for status in LAPSING_STATUSES)


def certificates_due_to_expire(today: dt.date) -> list[int]:
    """The valid or suspended certificates whose last day of validity is before `today`."""
    return list(
        Certificate.objects.filter(status__in=_lapsing(), expires_on__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def expire_certificates(*, now: dt.datetime, batch_size: int = EXPIRY_BATCH) -> int:
    """Record the expiry of every valid or suspended certificate whose last day has passed.

    The system acts (no user): each certificate gets its status row, an audit event and a notice
    to the holder. Returns how many certificates expired in this run.
    """
    today = timezone.localdate(now)
    due = certificates_due_to_expire(today)
    return sum(
        _expire_batch(due[start : start + batch_size], today=today, now=now)
        for start in range(0, len(due), batch_size)
    )


@transaction.atomic(durable=True)
def _expire_batch(ids: list[int], *, today: dt.date, now: dt.datetime) -> int:
    # Locked and checked again: a decision (a recertification, a withdrawal) may have changed a
    # certificate since the selection, or another run may have expired it.
    rows = list(
        Certificate.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, status__in=_lapsing(), expires_on__lt=today)
        .order_by("pk")
        .values_list("pk", "status", "expires_on")
    )
    if not rows:
        return 0
    before = {pk: status for pk, status, _expires in rows}
    by_date: dict[dt.date, list[int]] = defaultdict(list)
    for pk, _status, expires_on in rows:
        by_date[expires_on].append(pk)
    for expires_on, pks in by_date.items():
        Certificate.objects.filter(pk__in=pks).update(
            status=CertificateStatus.EXPIRED,
            status_since=expiry_effective_on(expires_on),
            updated_at=now,
        )
    certificates = list(
        Certificate.objects.filter(pk__in=list(before))
        .select_related("holder__user", "scheme_version__scheme")
        .order_by("pk")
    )
    Certificate.history.bulk_history_create(
        certificates,
        batch_size=1000,
        update=True,
        default_date=now,
        default_change_reason="expired",
    )
    reason = _("Expired at the end of its validity")
    CertificateStatusChange.objects.bulk_create(
        [
            CertificateStatusChange(
                certificate=certificate,
                from_status=before[certificate.pk],
                to_status=CertificateStatus.EXPIRED,
                effective_on=certificate.status_since,
                recorded_at=now,
                actor=None,
                reason=reason,
            )
            for certificate in certificates
        ],
        batch_size=1000,
    )
    lapsed = _lapse_open_suspensions(
        [pk for pk, status in before.items() if status == CertificateStatus.SUSPENDED],
        today=today,
        now=now,
    )
    record_events(
        [
            EventSpec(
                CertificationEvent.CERTIFICATE_EXPIRED,
                actor=None,
                subject=certificate,
                reason=reason,
                data={
                    "number": certificate.number,
                    "from_status": before[certificate.pk],
                    "expires_on": certificate.expires_on,
                    "effective_on": certificate.status_since,
                    **(
                        {"suspension_lapsed": lapsed[certificate.pk]}
                        if certificate.pk in lapsed
                        else {}
                    ),
                },
                related=[
                    ("accounts.person", certificate.holder_id),
                    *(
                        [("certification.suspension", lapsed[certificate.pk])]
                        if certificate.pk in lapsed
                        else []
                    ),
                ],
                occurred_at=now,
            )
            for certificate in certificates
        ]
    )
    notify_holders(
        certificates,
        template=EXPIRY_NOTICE,
        context=lambda certificate: {
            "expires_on": certificate.expires_on,
            "effective_on": certificate.status_since,
            "was_suspended": before[certificate.pk] == CertificateStatus.SUSPENDED,
        },
    )
    return len(certificates)


def _lapse_open_suspensions(
    certificate_ids: list[int], *, today: dt.date, now: dt.datetime
) -> dict[int, int]:
    """End the open suspensions of certificates that expired while suspended; certificate → suspension."""
    if not certificate_ids:
        return {}
    open_ones = dict(
        Suspension.objects.select_for_update()
        .filter(certificate_id__in=certificate_ids, status=SuspensionStatus.OPEN)
        .values_list("certificate_id", "pk")
    )
    if open_ones:
        Suspension.objects.filter(pk__in=list(open_ones.values())).update(
            status=SuspensionStatus.LAPSED, resolved_on=today, updated_at=now
        )
    return open_ones
