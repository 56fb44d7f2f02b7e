"""Demo of R25: the scan runs over the demo records; when no adverse decision follows an appeal
yet, the certificate of an appellant who holds one is suspended (through the certification
service) so that one open flag awaits review. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peritus.appeals.models import Appeal
from peritus.certification.models import Certificate, CertificateStatus
from peritus.certification.services import suspend_certificate
from peritus.compliance.models import RetaliationFlag
from peritus.compliance.services import flag_possible_retaliation
from peritus.core.demo import DemoContext
from peritus.core.errors import DomainError


def _suspend_an_appellant(ctx: DemoContext) -> None:
    decider = ctx.users.get("decision maker")
    if decider is None:
        return
    appellants = Appeal.objects.values("appellant_id")
    certificate = (
        Certificate.objects.filter(holder_id__in=appellants, status=CertificateStatus.VALID)
        .order_by("pk")
        .first()
    )
    if certificate is None:
        ctx.log("compliance: no appellant holds a valid certificate; no demo suspension")
        return
    try:
        suspend_certificate(
            certificate=certificate,
            actor=decider,
            reason="Continuing development hours were not reported for the past year.",
            conditions="Report at least 20 hours of continuing development.",
            deadline=timezone.localdate() + dt.timedelta(days=60),
        )
    except DomainError as error:
        ctx.log(f"compliance: demo suspension refused ({error.code})")


def load(ctx: DemoContext) -> None:
    if RetaliationFlag.objects.exists():
        ctx.log("compliance: demo retaliation flags already loaded")
        return
    flags = flag_possible_retaliation(now=timezone.now())
    if not flags:
        _suspend_an_appellant(ctx)
        flags = flag_possible_retaliation(now=timezone.now())
    ctx.log(f"compliance: {len(flags)} possible retaliation flagged for review")
