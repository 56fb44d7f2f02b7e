"""Demo impartiality risk register with committee reviews, built with the services.

Declarations, mitigations and trainer links come with the assessments (`exams.demo`), which run
after the candidates exist.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peritus.core.demo import DemoContext
from peritus.impartiality.models import ImpartialityRisk, RiskReview
from peritus.impartiality.services import (
    close_risk,
    mark_risk_controlled,
    record_risk,
    review_risk,
)

# (threat, source, likelihood, impact, controls, state)
RISKS: tuple[tuple[str, str, int, int, str, str], ...] = (
    (
        "Examiners also deliver preparation courses to candidates they may examine",
        "training",
        3,
        4,
        "Trainer–trainee links are recorded; the assessment and decision services refuse a trainer "
        "within two years; course material is kept apart from the item bank.",
        "controlled",
    ),
    (
        "Revenue depends on a few large employers who send most candidates",
        "finances",
        2,
        4,
        "",
        "open",
    ),
    (
        "Sales staff are paid a commission per certificate issued",
        "referral_fees",
        2,
        5,
        "Commissions abolished in 2025; finance roles cannot be combined with scoring or deciding.",
        "closed",
    ),
    (
        "Scheme committee members are employed by a training provider",
        "governance",
        3,
        3,
        "Committee membership balanced by interest; members declare interests before each "
        "meeting; a member with an interest does not vote.",
        "controlled",
    ),
    (
        "Examiners in small sectors know many candidates personally",
        "relationships",
        4,
        3,
        "A declaration per event and per candidate; a declared conflict withdraws the examiner "
        "unless another person approves a second examiner or a recorded session.",
        "controlled",
    ),
)


def load(ctx: DemoContext) -> None:
    quality = ctx.users.get("quality manager")
    committee = ctx.users.get("impartiality committee")
    if quality is None or committee is None or ImpartialityRisk.objects.exists():
        return
    today = timezone.localdate()
    for index, (threat, source, likelihood, impact, controls, state) in enumerate(RISKS):
        risk = record_risk(
            actor=quality, threat=threat, source=source, likelihood=likelihood, impact=impact,
            owner=quality, controls=controls,
            review_due_on=today + dt.timedelta(days=30 + 60 * index) if index else today - dt.timedelta(days=5),
        )  # fmt: skip
        if state == "controlled":
            risk = mark_risk_controlled(actor=quality, risk=risk, reason="Controls in place")
            if index > 1:
                review_risk(
                    actor=committee, risk=risk, conclusion=RiskReview.Conclusion.ADEQUATE,
                    notes="Reviewed at the committee meeting; no incident reported since the last review.",
                    next_review_on=today + dt.timedelta(days=180 + 30 * index),
                )  # fmt: skip
        elif state == "closed":
            close_risk(actor=quality, risk=risk, reason="Commission scheme ended in 2025")
    ctx.log("  impartiality risk register with committee reviews")
