"""Demo decisions and certificates, built with the certification services.

From what the exams loader leaves (`ctx.extra["passed_applications"]`, `["failed_applications"]`):
most passed files are granted by the demo decision maker (or, where that person was involved
with the candidate, by the second decision maker), the candidates accept the rules on the use of
certificates and marks and the certification officer issues their certificates in batches; a
few grants wait for the terms or for issuing, a few files wait for a decision, failed files are
refused with reasons. Two certificates are reissued (superseded revisions). A legacy register of
the welding scheme is imported with certificates in every status — valid, suspended, withdrawn
and expired — each with its imported decision. Idempotent: what exists is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from peritus.accounts.models import User
from peritus.applications.models import Application
from peritus.certification.decision_file import involvements, missing_items
from peritus.certification.models import (
    Certificate,
    CertificationDecision,
    DecisionOutcome,
    ReissueReason,
)
from peritus.certification.register_import import RegisterRow
from peritus.certification.selectors import get_terms_acceptance
from peritus.certification.services import (
    accept_certificate_terms,
    decide_certification,
    import_certificates,
    issue_certificates,
    reissue_certificate,
)
from peritus.certification.status import CertificateStatus
from peritus.core.demo import DemoContext
from peritus.schemes.models import Scheme, SchemeVersionStatus

ISSUE_BATCH = 40  # below the parallel-rendering threshold: no worker processes during the demo
LEGACY_SOURCE = "Demo legacy register (2019–2024)"
LEGACY_GIVEN = [
    "Arvid",
    "Britt",
    "Cecilie",
    "Dag",
    "Eirik",
    "Frida",
    "Gunnar",
    "Hilde",
    "Ivar",
    "Jorunn",
    "Knut",
    "Liv",
    "Magnus",
    "Nina",
    "Ola",
    "Petra",
    "Rolf",
    "Signe",
    "Trond",
    "Unni",
    "Vidar",
    "Wenche",
]
LEGACY_FAMILY = [
    "Aasen",
    "Berge",
    "Dahl",
    "Eide",
    "Fossum",
    "Gran",
    "Haugen",
    "Holm",
    "Jensen",
    "Lie",
    "Moen",
    "Nygaard",
    "Pedersen",
    "Rud",
    "Solberg",
    "Strand",
    "Thorsen",
    "Vik",
    "Wold",
]
GRANT_RATIONALE = (
    "Every prerequisite was verified against the evidence; every component was passed on "
    "released results under the scheme's rule; attestation and code of conduct are signed."
)
REFUSAL_RATIONALE = (
    "The assessment was not passed under the scheme's rule: {detail}. The candidate may resit "
    "the components not passed and apply for a new decision."
)


def _decider(application: Application, deciders: list[User]) -> User | None:
    for user in deciders:
        if not involvements(user, application):
            return user
    return None


def _decide(ctx: DemoContext, deciders: list[User]) -> tuple[list[CertificationDecision], int]:
    passed: list[Application] = list(ctx.extra.get("passed_applications") or [])
    failed: list[Application] = list(ctx.extra.get("failed_applications") or [])
    decided = set(
        CertificationDecision.objects.filter(application__isnull=False).values_list(
            "application_id", flat=True
        )
    )
    named = ctx.users.get("candidate")
    passed.sort(key=lambda a: (named is None or a.person.user_id != named.pk, a.pk))
    waiting = max(3, len(passed) // 10)  # files left in the decision queue
    grants: list[CertificationDecision] = []
    refusals = 0
    for application in passed[: max(len(passed) - waiting, 0)]:
        if application.pk in decided or missing_items(application, outcome=DecisionOutcome.GRANT):
            continue
        decider = _decider(application, deciders)
        if decider is None:
            continue
        scope = list(application.requested_scope.all()) or list(
            application.scheme_version.scope_items.all()
        )
        grants.append(
            decide_certification(
                application=application,
                actor=decider,
                outcome=DecisionOutcome.GRANT,
                rationale=GRANT_RATIONALE,
                scope_items=scope,
            )
        )
    for application in failed[: max(len(failed) - 1, 0)]:
        if application.pk in decided or missing_items(application, outcome=DecisionOutcome.REFUSE):
            continue
        decider = _decider(application, deciders)
        if decider is None:
            continue
        decide_certification(
            application=application,
            actor=decider,
            outcome=DecisionOutcome.REFUSE,
            rationale=REFUSAL_RATIONALE.format(
                detail="the weighted result fell below the pass mark"
            ),
        )
        refusals += 1
    return grants, refusals


def _accept_and_issue(ctx: DemoContext, officer: User) -> tuple[list[Certificate], int]:
    grants = list(
        CertificationDecision.objects.filter(
            outcome=DecisionOutcome.GRANT, certificate__isnull=True, application__isnull=False
        )
        .select_related("person__user", "scheme_version__scheme")
        .order_by("pk")
    )
    named = ctx.users.get("candidate")
    ready: list[CertificationDecision] = []
    for decision in grants:
        # Stable choices (by primary key), so a second run changes nothing: a few people have
        # not accepted the terms yet, a few accepted grants wait for the officer.
        is_named = named is not None and decision.person.user_id == named.pk
        accepted = get_terms_acceptance(
            person=decision.person, scheme_version=decision.scheme_version
        )
        if accepted is None and (is_named or decision.pk % 23 != 3) and decision.person.user:
            accepted = accept_certificate_terms(
                person=decision.person,
                scheme_version=decision.scheme_version,
                actor=decision.person.user,
                ip_address="127.0.0.1",
            )
        if accepted is not None and (is_named or decision.pk % 19 != 5):
            ready.append(decision)
    issued: list[Certificate] = []
    for start in range(0, len(ready), ISSUE_BATCH):
        issued.extend(
            issue_certificates(decisions=ready[start : start + ISSUE_BATCH], actor=officer)
        )
    return issued, len(grants) - len(ready)


def _reissue(officer: User) -> int:
    if Certificate.objects.filter(revision__gt=1).exists():
        return 0
    count = 0
    for certificate in Certificate.objects.filter(
        status=CertificateStatus.VALID, decision__application__isnull=False
    ).order_by("pk")[1:3]:
        reissue_certificate(
            certificate=certificate,
            actor=officer,
            reason=ReissueReason.CORRECTION,
            note="The limitations of the scope were printed incompletely; corrected wording.",
        )
        count += 1
    return count


def _legacy_rows(scheme: Scheme, rng: random.Random) -> list[RegisterRow]:
    version = scheme.versions.filter(status=SchemeVersionStatus.PUBLISHED).first()
    if version is None:
        return []
    codes = list(version.scope_items.order_by("position", "code").values_list("code", flat=True))
    if not codes:
        return []
    today = timezone.localdate()
    plan = (
        [CertificateStatus.VALID] * 8
        + [CertificateStatus.SUSPENDED] * 4
        + [CertificateStatus.WITHDRAWN] * 4
        + [CertificateStatus.EXPIRED] * 4
        + ["lapsed"] * 2  # valid in the old register, past their date: expired at read time
    )
    rows = []
    for index, status in enumerate(plan, start=1):
        issued = today - dt.timedelta(days=rng.randint(200, 1000))
        if status in (CertificateStatus.EXPIRED, "lapsed"):
            issued = today - dt.timedelta(days=rng.randint(1200, 1500))
        expires = issued + dt.timedelta(days=3 * 365)
        recorded = CertificateStatus.VALID if status == "lapsed" else status
        since = issued
        if recorded in (CertificateStatus.SUSPENDED, CertificateStatus.WITHDRAWN):
            since = min(today, issued + dt.timedelta(days=rng.randint(60, 180)))
        elif recorded == CertificateStatus.EXPIRED:
            since = expires + dt.timedelta(days=1)
        scope = tuple(codes[: rng.randint(1, len(codes))])
        rows.append(
            RegisterRow(
                line=index + 1,
                external_reference=f"LEGACY-{scheme.code}-{index:03d}",
                given_names=rng.choice(LEGACY_GIVEN),
                family_name=rng.choice(LEGACY_FAMILY),
                email="",
                date_of_birth=None,
                certificate_number=f"N-{issued.year}-{index:04d}",
                scheme_version=version.version,
                scope=scope,
                issued_on=issued,
                valid_from=issued,
                expires_on=expires,
                status=recorded,
                status_since=since,
                decided_on=issued,
                decision_reference=f"NB/{issued.year}/{index:03d}",
                register_consent=index % 3 != 0,
            )
        )
    return rows


def _import_legacy(ctx: DemoContext, officer: User) -> int:
    schemes = ctx.extra.get("schemes") or {}
    scheme = schemes.get("WLD") or next(iter(schemes.values()), None)
    if scheme is None:
        return 0
    rows = _legacy_rows(scheme, random.Random(f"legacy-{scheme.code}"))  # noqa: S311 - demo data
    if not rows:
        return 0
    report = import_certificates(rows=rows, scheme=scheme, source=LEGACY_SOURCE, actor=officer)
    return report.imported


def load(ctx: DemoContext) -> None:
    users = ctx.users
    if any(
        label not in users
        for label in ("decision maker", "second decision maker", "certification officer")
    ):
        return
    deciders = [users["decision maker"], users["second decision maker"]]
    officer: User = users["certification officer"]
    grants, refusals = _decide(ctx, deciders)
    issued, waiting = _accept_and_issue(ctx, officer)
    reissued = _reissue(officer)
    imported = _import_legacy(ctx, officer)
    ctx.extra["certificates"] = list(Certificate.objects.order_by("pk"))
    ctx.log(
        f"  certification: {len(grants)} granted, {refusals} refused, {len(issued)} issued, "
        f"{waiting} grants waiting (terms or issue), {reissued} reissued, "
        f"{imported} imported from a legacy register"
    )
