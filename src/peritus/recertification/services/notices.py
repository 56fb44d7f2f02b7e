"""Scheduled notices (`peritus tick`): surveillance due, surveillance overdue, window opened.

Each notice goes at most once per certificate, kind and date (a unique row records it), so a job
run twice, or late, sends nothing more; a late run catches up on what it missed while the notice
still means something: the window notice until the window closes; the overdue notice up to
`PERITUS_SURVEILLANCE_OVERDUE_CATCHUP_DAYS` (default 31) after the date, so a tick stopped for
longer does not send stale overdue notices in bulk (the portal and the office still show the
surveillance as overdue). The candidates are narrowed in SQL by their expiry date (surveillance
dates and the window are fixed offsets from the cycle, so from the expiry), without those already
noticed or answered (anti-joins on the notice and submission tables), and checked exactly in
Python: a second run finds nothing to look at. One audit event records each batch, linked to
every certificate noticed; one notice goes to each holder.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from peritus.audit_trail.services import record_event
from peritus.certification.models import Certificate, CertificateStatus
from peritus.certification.validity import add_months
from peritus.recertification.events import RecertificationEvent
from peritus.recertification.models import (
    NoticeKind,
    RecertificationNotice,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from peritus.recertification.schedule import due_for, rules_for
from peritus.recertification.services.common import notify_holder
from peritus.schemes.models import SchemeVersion

BATCH = 500
DEFAULT_OVERDUE_CATCHUP_DAYS = 31
SLACK = dt.timedelta(days=4)  # month arithmetic on the 29th–31st moves a date by up to 3 days


def overdue_catchup_days() -> int:
    return int(
        getattr(settings, "PERITUS_SURVEILLANCE_OVERDUE_CATCHUP_DAYS", DEFAULT_OVERDUE_CATCHUP_DAYS)
    )


def _noticed(kind: str, **dates: Any) -> Exists:
    return Exists(
        RecertificationNotice.objects.filter(certificate=OuterRef("pk"), kind=kind, **dates)
    )


def _window_candidates(version: SchemeVersion, today: dt.date) -> Q:
    """Certificates whose window opened by today and whose expiry is not past, not yet told."""
    window = version.recertification_window_months
    return Q(
        Q(
            scheme_id=version.scheme_id,
            scheme_version=version,
            expires_on__gte=today,
            expires_on__lt=add_months(today, window) + SLACK,
        ),
        ~_noticed(NoticeKind.WINDOW_OPENED, for_date=OuterRef("expires_on")),
    )


def _surveillance_candidates(version: SchemeVersion, today: dt.date, notice_days: int) -> Q:
    """Certificates with a surveillance date in [today - catch-up, today + notice days] that
    was neither answered nor noticed already."""
    interval = version.surveillance_interval_months or 0
    validity = version.validity_months or 0
    if not interval or not validity:
        return Q(pk__in=[])
    low = today - dt.timedelta(days=overdue_catchup_days())
    high = today + dt.timedelta(days=notice_days)
    answered = Exists(
        Submission.objects.filter(
            certificate=OuterRef("pk"),
            kind=SubmissionKind.SURVEILLANCE,
            due_on__gte=low,
            due_on__lte=high,
            status__in=[
                SubmissionStatus.SUBMITTED,
                SubmissionStatus.REVIEWED,
                SubmissionStatus.ACCEPTED,
            ],
        )
    )
    done = (
        Q(answered)
        | Q(_noticed(NoticeKind.SURVEILLANCE_OVERDUE, for_date__gte=low, for_date__lte=high))
        | Q(_noticed(NoticeKind.SURVEILLANCE_DUE, for_date__gte=today, for_date__lte=high))
    )
    query = Q(pk__in=[])
    step = 1
    while step * interval < validity:
        # point = cycle start + step·interval, and expiry + 1 = cycle start + validity
        ahead = validity - step * interval
        query |= Q(
            expires_on__gte=add_months(low, ahead) - SLACK,
            expires_on__lte=add_months(high, ahead) + SLACK,
        )
        step += 1
    return (
        Q(scheme_id=version.scheme_id, scheme_version=version, expires_on__gte=today)
        & query
        & ~done
    )


def _already(kind: str, pairs: Iterable[tuple[int, dt.date]]) -> set[tuple[int, dt.date]]:
    pairs = list(pairs)
    if not pairs:
        return set()
    found = RecertificationNotice.objects.filter(
        kind=kind, certificate_id__in={pk for pk, _date in pairs}
    ).values_list("certificate_id", "for_date")
    return set(found) & set(pairs)


def _send(kind: str, due: list[tuple[Certificate, dt.date]], *, now: dt.datetime) -> int:
    """Record and send the notices of one batch, in one transaction."""
    if not due:
        return 0
    template = f"recertification_{kind}"
    with transaction.atomic(durable=True):
        done = _already(kind, ((certificate.pk, day) for certificate, day in due))
        fresh = [
            (certificate, day) for certificate, day in due if (certificate.pk, day) not in done
        ]
        if not fresh:
            return 0
        RecertificationNotice.objects.bulk_create(
            [
                RecertificationNotice(certificate=certificate, kind=kind, for_date=day, sent_at=now)
                for certificate, day in fresh
            ]
        )
        for certificate, day in fresh:
            notify_holder(
                certificate,
                template=template,
                subject=certificate,
                context={"for_date": day, "expires_on": certificate.expires_on},
            )
        record_event(
            RecertificationEvent.NOTICES_SENT,
            actor=None,
            subject=None,
            related=[certificate for certificate, _day in fresh],
            data={
                "kind": kind,
                "count": len(fresh),
                "notices": [
                    {"number": certificate.number, "for_date": day.isoformat()}
                    for certificate, day in fresh
                ],
            },
            occurred_at=now,
        )
    return len(fresh)


def _versions() -> list[SchemeVersion]:
    return list(
        SchemeVersion.objects.filter(
            pk__in=Certificate.objects.filter(
                status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED]
            )
            .values("scheme_version_id")
            .distinct()
        ).select_related("scheme")
    )


def _certificates(query: Q) -> Iterable[Certificate]:
    return (
        Certificate.objects.filter(query, status=CertificateStatus.VALID)
        .select_related("holder__user", "scheme_version__scheme")
        .order_by("pk")
        .iterator(chunk_size=BATCH)
    )


def send_window_opened_notices(*, now: dt.datetime) -> int:
    """Tell holders their recertification window is open (once per certificate and expiry)."""
    today = timezone.localdate(now)
    sent = 0
    for version in _versions():
        window = version.recertification_window_months
        batch: list[tuple[Certificate, dt.date]] = []
        for certificate in _certificates(_window_candidates(version, today)):
            opens = add_months(certificate.expires_on + dt.timedelta(days=1), -window)
            if opens <= today <= certificate.expires_on:
                batch.append((certificate, certificate.expires_on))
            if len(batch) >= BATCH:
                sent += _send_unsent(NoticeKind.WINDOW_OPENED, batch, now=now)
                batch = []
        sent += _send_unsent(NoticeKind.WINDOW_OPENED, batch, now=now)
    return sent


def _send_unsent(kind: str, batch: list[tuple[Certificate, dt.date]], *, now: dt.datetime) -> int:
    done = _already(kind, ((certificate.pk, day) for certificate, day in batch))
    return _send(kind, [(c, d) for c, d in batch if (c.pk, d) not in done], now=now)


def send_surveillance_notices(*, now: dt.datetime) -> dict[str, int]:
    """Surveillance due soon (from `surveillance_notice_days` before) and overdue (the day after)."""
    today = timezone.localdate(now)
    counts: dict[str, int] = defaultdict(int)
    for version in _versions():
        rules = rules_for(version)
        if not rules.surveillance_interval_months:
            continue
        query = _surveillance_candidates(version, today, rules.surveillance_notice_days)
        batches: dict[str, list[tuple[Certificate, dt.date]]] = defaultdict(list)
        for certificate in _certificates(query):
            due = due_for(certificate, today=today)
            point = due.next_surveillance_on
            if point is None or due.surveillance_opens_on is None:
                continue
            pending = Submission.objects.filter(
                certificate=certificate,
                kind=SubmissionKind.SURVEILLANCE,
                due_on=point,
                status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.REVIEWED],
            ).exists()
            if pending:
                continue
            if today > point + dt.timedelta(days=overdue_catchup_days()):
                continue
            if today > point:
                batches[NoticeKind.SURVEILLANCE_OVERDUE].append((certificate, point))
            elif today >= due.surveillance_opens_on:
                batches[NoticeKind.SURVEILLANCE_DUE].append((certificate, point))
            for kind, batch in batches.items():
                if len(batch) >= BATCH:
                    counts[kind] += _send_unsent(kind, batch, now=now)
                    batches[kind] = []
        for kind, batch in batches.items():
            counts[kind] += _send_unsent(kind, batch, now=now)
    return {
        NoticeKind.SURVEILLANCE_DUE.value: counts[NoticeKind.SURVEILLANCE_DUE],
        NoticeKind.SURVEILLANCE_OVERDUE.value: counts[NoticeKind.SURVEILLANCE_OVERDUE],
    }
