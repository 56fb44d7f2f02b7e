"""Demo surveillance and recertification, built with the recertification services.

The scheme manager sets a recertification policy (CPD hours by category, a declaration, a 20 %
audit sample, a 60-day grace period) on each scheme version that has certificates. Demo
candidates holding a certificate log some CPD from the portal. Among the certificates brought in
from the legacy register, those whose recertification window is open get CPD recorded by the
certification officer (their holders have no portal account and write by post) and a pending
recertification: the first awaits review, the second was reviewed by the eligibility reviewer and
awaits an independent decision maker. Idempotent: what exists is left alone.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from peritus.accounts.models import User
from peritus.certification.models import Certificate, CertificateStatus
from peritus.core.demo import DemoContext
from peritus.recertification.models import (
    AuditVerdict,
    CpdActivity,
    RecertificationPolicy,
    Submission,
    SubmissionKind,
)
from peritus.recertification.schedule import due_for
from peritus.recertification.services import (
    log_cpd_activity,
    review_submission,
    set_recertification_policy,
    submit_recertification,
)

CATEGORIES = (
    ("technical", "Technical knowledge", Decimal(12)),
    ("practice", "Professional practice", Decimal(6)),
    ("ethics", "Ethics and impartiality", Decimal(2)),
)
ACTIVITIES = (
    ("technical", "Phased-array ultrasonic testing update", "Welding Institute", "7.5"),
    ("technical", "Pipeline coating defects seminar", "Energy Academy", "6"),
    ("practice", "Peer review of inspection reports", "Employer", "6"),
    ("ethics", "Ethics in certification webinar", "Certification body", "2"),
)


def demo_pdf(title: str) -> io.BytesIO:
    """A one-page certificate of attendance (plain PDF, no active content)."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 760, "Certificate of attendance")
    page.setFont("Helvetica", 11)
    page.drawString(72, 730, title)
    page.showPage()
    page.save()
    buffer.seek(0)
    return buffer


def _policies(ctx: DemoContext, manager: User) -> int:
    versions = {
        certificate.scheme_version
        for certificate in Certificate.objects.select_related("scheme_version").filter(
            status=CertificateStatus.VALID
        )
    }
    count = 0
    for version in sorted(versions, key=lambda v: v.pk):
        if RecertificationPolicy.objects.filter(scheme_version=version).exists():
            continue
        set_recertification_policy(
            actor=manager,
            scheme_version=version,
            categories=CATEGORIES,
            declaration_text=(
                "I declare that I have practised within the scope of my certificate in this "
                "period, that the CPD I logged is true, and that I still meet the scheme's "
                "requirements."
            ),
            work_log_required=True,
            spot_check_percent=Decimal(20),
            grace_period_days=60,
        )
        count += 1
    return count


def _log(actor: User, certificate: Certificate, today: dt.date, ctx: DemoContext) -> int:
    if CpdActivity.objects.filter(certificate=certificate).exists():
        return 0
    starts = due_for(certificate, today=today).cycle_starts_on
    span = max((today - starts).days, 0)
    for category, title, provider, hours in ACTIVITIES:
        completed = starts + dt.timedelta(days=ctx.rng.randint(0, span)) if span else today
        log_cpd_activity(
            actor=actor,
            certificate=certificate,
            category=category,
            title=title,
            provider=provider,
            completed_on=completed,
            hours=hours,
            upload=demo_pdf(f"{title} — {certificate.number}"),
            name=f"{category}-attendance.pdf",
        )
    return len(ACTIVITIES)


def _top_up(actor: User, certificate: Certificate, today: dt.date) -> None:
    """Log what the scheme still needs (its total may exceed the categories' sum)."""
    due = due_for(certificate, today=today)
    for row in due.hours:
        if row.short > 0:
            log_cpd_activity(
                actor=actor,
                certificate=certificate,
                category=row.code,
                title=f"{row.name}: supervised practice",
                provider="Employer",
                completed_on=today,
                hours=row.short,
                upload=demo_pdf(f"{row.name} — {certificate.number}"),
                name=f"{row.code}-practice.pdf",
            )
    due = due_for(certificate, today=today)
    remaining = due.rules.total_hours - due.total_logged
    if remaining > 0:
        log_cpd_activity(
            actor=actor,
            certificate=certificate,
            category=due.rules.categories[0].code,
            title="Inspection practice workshop",
            provider="Welding Institute",
            completed_on=today,
            hours=remaining,
            upload=demo_pdf(f"Workshop — {certificate.number}"),
            name="workshop.pdf",
        )


def _candidates_cpd(ctx: DemoContext, today: dt.date) -> int:
    logged = 0
    for label in ("candidate", "second candidate"):
        user = ctx.users.get(label)
        if user is None:
            continue
        certificate = (
            Certificate.objects.filter(holder__user=user, status=CertificateStatus.VALID)
            .order_by("pk")
            .first()
        )
        if certificate is not None:
            logged += _log(user, certificate, today, ctx)
    return logged


def _pending(ctx: DemoContext, officer: User, reviewer: User | None, today: dt.date) -> int:
    if Submission.objects.filter(kind=SubmissionKind.RECERTIFICATION).exists():
        return 0
    in_window = [
        certificate
        for certificate in Certificate.objects.filter(
            status=CertificateStatus.VALID, expires_on__gte=today, holder__user__isnull=True
        ).order_by("expires_on", "pk")
        if due_for(certificate, today=today).window_open
    ][:2]
    made = 0
    for index, certificate in enumerate(in_window):
        _log(officer, certificate, today, ctx)
        _top_up(officer, certificate, today)
        submission = submit_recertification(
            actor=officer,
            certificate=certificate,
            declared=True,
            work_log=(
                "Weld inspection on the coastal pipeline project (18 months); site acceptance "
                "inspections for two compressor stations. Employer statement attached by post."
            ),
            statement="Received by post; entered by the certification officer.",
        )
        made += 1
        if index == 1 and reviewer is not None:
            review_submission(
                actor=reviewer,
                submission=submission,
                positive=True,
                findings="Attendance certificates match the log; the employer confirms practice.",
                verdicts={
                    activity.pk: AuditVerdict.ACCEPTED
                    for activity in submission.cpd_activities.all()
                },
            )
    return made


def load(ctx: DemoContext) -> None:
    users = ctx.users
    manager = users.get("scheme manager")
    officer = users.get("certification officer")
    if manager is None or officer is None:
        return
    today = timezone.localdate()
    policies = _policies(ctx, manager)
    logged = _candidates_cpd(ctx, today)
    pending = _pending(ctx, officer, users.get("eligibility reviewer"), today)
    ctx.log(
        f"  recertification: {policies} policies, {logged} CPD activities logged by "
        f"candidates, {pending} recertifications pending"
    )
