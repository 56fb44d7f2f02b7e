"""Demo appeals, made through the services: one under review by the panel, one decided (dismissed)
with a corrective action owned by the quality manager. Loaded once: a second run changes nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peritus.accounts.models import User
from peritus.appeals.independence import panel_obstacles
from peritus.appeals.models import Appeal, AppealChannel, AppealOutcome, AppealSubject
from peritus.appeals.services import (
    add_appeal_note,
    admit_appeal,
    assign_panel_member,
    decide_appeal,
    lodge_appeal,
    raise_corrective_action_from_appeal,
    record_appeal,
)
from peritus.certification.models import CertificationDecision, DecisionOutcome
from peritus.core.demo import DemoContext

GROUNDS = (
    "My answer to the case study continued on the next page, which I think was not marked. "
    "The result does not reflect what I wrote."
)
LETTER_GROUNDS = (
    "By letter: the exam centre started the session 40 minutes late and I was not given the "
    "time back. I ask for a new sitting at no cost."
)


def _refusals(panel: User) -> list[CertificationDecision]:
    """Refused decisions about people with a login that the panel member may hear."""
    refusals = CertificationDecision.objects.filter(
        outcome=DecisionOutcome.REFUSE, person__user__isnull=False
    ).select_related("person__user")
    chosen = []
    for decision in refusals.order_by("pk"):
        probe = Appeal(appellant=decision.person)
        if not panel_obstacles(panel, probe):
            chosen.append(decision)
        if len(chosen) == 2:
            break
    return chosen


def load(ctx: DemoContext) -> None:
    panel = ctx.users.get("appeals panel member")
    quality = ctx.users.get("quality manager")
    if panel is None or quality is None:
        ctx.log("appeals: no appeals panel member or quality manager; no demo appeals")
        return
    if Appeal.objects.exists():
        ctx.log("appeals: demo appeals already loaded")
        return
    refusals = _refusals(panel)
    if not refusals:
        ctx.log("appeals: no refused decision to appeal; no demo appeals")
        return
    first = refusals[0]
    assert first.person.user is not None
    in_review = lodge_appeal(
        actor=first.person.user,
        subject_kind=AppealSubject.CERTIFICATION_DECISION,
        subject_key=first.reference,
        grounds=GROUNDS,
        remedy_sought="Re-mark my paper, including page 2.",
    )
    admit_appeal(actor=panel, appeal=in_review, note="A decision of the body, lodged in time.")
    assign_panel_member(actor=panel, appeal=in_review, member=panel, declare_no_conflict=True)
    add_appeal_note(
        actor=panel,
        appeal=in_review,
        body="Asked the exams office for the scanned script, both pages.",
    )

    person = refusals[-1].person
    by_letter = record_appeal(
        actor=panel,
        appellant=person,
        subject_kind=AppealSubject.OTHER,
        grounds=LETTER_GROUNDS,
        remedy_sought="A new sitting at no cost.",
        channel=AppealChannel.LETTER,
        received_at=timezone.now() - dt.timedelta(days=1),
    )
    admit_appeal(actor=panel, appeal=by_letter)
    assign_panel_member(actor=panel, appeal=by_letter, member=panel, declare_no_conflict=True)
    decide_appeal(
        actor=panel,
        appeal=by_letter,
        outcome=AppealOutcome.DISMISSED,
        reasons=(
            "The session log shows the start was delayed by 40 minutes and the full time was "
            "given back; the invigilator's report confirms it."
        ),
    )
    raise_corrective_action_from_appeal(
        actor=panel,
        appeal=by_letter,
        title="Say in writing when lost exam time is given back",
        description="Tell candidates in the room, in writing, when lost time is given back.",
        owner=quality,
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    ctx.log(f"appeals: {in_review.reference} under review, {by_letter.reference} decided")
