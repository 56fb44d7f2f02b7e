"""Demo assessments, built with the services so the demo obeys every rule.

For the eligible applications the applications loader leaves (`ctx.extra["eligible_applications"]`,
or those found in the database): past sittings of each component, held and marked (some marked
twice and reconciled), declarations of interests (one conflict, mitigated by a second examiner
that the quality manager approved), most results released and some not; an upcoming sitting; and
trainer links. Leaves for the certification loader:

* `ctx.extra["passed_applications"]`: every component passed on released results (ready for a
  decision, never certified by the pass alone),
* `ctx.extra["failed_applications"]`: every result released, the rule not met,
* `ctx.extra["awaiting_release_applications"]`: a result not released yet (or not settled),
* `ctx.extra["assessment_events"]`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from peritus.accounts.models import User
from peritus.applications.models import Application
from peritus.applications.selectors import is_eligible, list_eligible_applications
from peritus.core.demo import DemoContext
from peritus.exams.delivery.demo import load_delivery
from peritus.exams.models import AssessmentEvent, ComponentResult, ResultStatus
from peritus.exams.selectors import get_assessment_outcome
from peritus.exams.services import (
    CandidateDeclaration,
    add_candidate,
    assign_personnel,
    declare_event_interests,
    reconcile_marks,
    record_event_held,
    record_first_mark,
    record_second_mark,
    release_event_results,
    schedule_event,
)
from peritus.impartiality.models import ConflictDeclaration, MitigationKind
from peritus.impartiality.services import approve_mitigation, propose_mitigation, record_training
from peritus.schemes.models import AssessmentComponent, AssessmentComponentKind

SEATS = 12
PLACES = ("Oslo, Storgata 12, room 3", "Bergen, Kaigaten 4, hall B", "Trondheim, Fjordgata 9")
FEEDBACK = {
    True: (
        "Methodical and complete; every criterion of the rubric was met.",
        "Sound reasoning and clear records. Keep documenting each observation as you did.",
        "Good command of the procedure; minor slips in terminology did not affect the outcome.",
    ),
    False: (
        "Several required checks were missed; review the acceptance criteria before a resit.",
        "The report lacked evidence for its conclusions; practise recording each observation.",
    ),
}


def _share(ctx: DemoContext) -> None:
    """Fill `ctx.extra` from the database (also when the demo runs a second time)."""
    applications = (
        Application.objects.filter(component_results__isnull=False)
        .distinct()
        .select_related("scheme_version", "person")
        .order_by("pk")
    )
    unreleased = set(
        ComponentResult.objects.exclude(status=ResultStatus.RELEASED).values_list(
            "application_id", flat=True
        )
    )
    passed, failed, awaiting = [], [], []
    for application in applications:
        outcome = get_assessment_outcome(application)
        if application.pk in unreleased:
            awaiting.append(application)
        elif outcome.ready_for_decision:
            passed.append(application)
        elif outcome.complete and not outcome.passed:
            failed.append(application)
    ctx.extra["passed_applications"] = passed
    ctx.extra["failed_applications"] = failed
    ctx.extra["awaiting_release_applications"] = awaiting
    ctx.extra["assessment_events"] = list(AssessmentEvent.objects.order_by("starts_at", "pk"))


def _score(ctx: DemoContext, component: AssessmentComponent) -> Decimal:
    """Most candidates pass; the scores spread around the pass mark."""
    spread = component.max_score - component.pass_mark
    if ctx.rng.random() < 0.8:
        value = component.pass_mark + spread * Decimal(str(round(ctx.rng.uniform(0.05, 0.95), 2)))
    else:
        value = component.pass_mark * Decimal(str(round(ctx.rng.uniform(0.55, 0.97), 2)))
    return min(value, component.max_score).quantize(Decimal("0.5"))


def _chunks(items: Sequence[Application], size: int) -> list[Sequence[Application]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def load(ctx: DemoContext) -> None:
    if AssessmentEvent.objects.exists():
        _share(ctx)
        load_delivery(ctx)
        return
    users = ctx.users
    needed = (
        "certification officer",
        "examiner",
        "second examiner",
        "invigilator",
        "quality manager",
    )
    if any(label not in users for label in needed):
        return
    officer: User = users["certification officer"]
    examiner: User = users["examiner"]
    second: User = users["second examiner"]
    invigilator: User = users["invigilator"]
    quality: User = users["quality manager"]

    given = ctx.extra.get("eligible_applications")
    pool = list(given) if given else list(list_eligible_applications().order_by("pk"))
    applications = [application for application in pool if is_eligible(application)]
    by_version: dict[int, list[Application]] = defaultdict(list)
    for application in applications:
        by_version[application.scheme_version_id].append(application)

    # The applications loader puts the named demo candidate first: they sit, and see results.
    named = applications[0].pk if given and applications else None
    now = timezone.now()
    conflict_shown = False
    for version_index, version_id in enumerate(sorted(by_version)):
        candidates = sorted(by_version[version_id], key=lambda application: application.pk)
        ctx.rng.shuffle(candidates)
        candidates.sort(key=lambda application: application.pk != named)
        reserve = max(len(candidates) // 6, 1) if len(candidates) >= 4 else 0
        sitting, upcoming = (
            candidates[: len(candidates) - reserve],
            candidates[len(candidates) - reserve :],
        )
        components = list(
            AssessmentComponent.objects.filter(scheme_version_id=version_id).order_by(
                "position", "code"
            )
        )
        for component_index, component in enumerate(components):
            double = component.kind in (
                AssessmentComponentKind.PRACTICAL,
                AssessmentComponentKind.ORAL,
            )
            groups = _chunks(sitting, SEATS)
            for group_index, group in enumerate(groups):
                days_ago = 90 - 25 * component_index - 3 * group_index - 5 * version_index
                event = schedule_event(
                    actor=officer, component=component,
                    starts_at=(now - dt.timedelta(days=max(days_ago, 2))).replace(
                        hour=9, minute=0, second=0, microsecond=0
                    ),
                    location=PLACES[(group_index + version_index) % len(PLACES)],
                    capacity=SEATS, duration_minutes=component.duration_minutes or 120,
                    double_marking=double,
                    notes="Bring the calibrated gauges." if component.kind == "practical" else "",
                )  # fmt: skip
                assign_personnel(actor=officer, event=event, user=invigilator, role="invigilator")
                assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
                # Shown on the last component, so no later sitting needs the measure again.
                with_conflict = (
                    not conflict_shown and component_index == len(components) - 1 and len(group) > 1
                )
                if double or with_conflict:
                    assign_personnel(actor=officer, event=event, user=second, role="examiner")
                entries = [
                    add_candidate(actor=officer, event=event, application=application)
                    for application in group
                ]
                absent = [entries[-1]] if len(entries) > 5 and ctx.rng.random() < 0.3 else []
                declare_event_interests(
                    actor=invigilator, event=event,
                    declarations=[CandidateDeclaration(entry, False) for entry in entries],
                )  # fmt: skip
                record_event_held(actor=invigilator, event=event, absent=absent)
                declarations = [
                    CandidateDeclaration(entry, has_conflict=False) for entry in entries
                ]
                if with_conflict:
                    declarations[1] = CandidateDeclaration(
                        entries[1], has_conflict=True, nature="colleague",
                        details="We worked in the same inspection team until last year.",
                    )  # fmt: skip
                declare_event_interests(actor=examiner, event=event, declarations=declarations)
                if double or with_conflict:
                    declare_event_interests(
                        actor=second, event=event,
                        declarations=[CandidateDeclaration(entry, False) for entry in entries],
                    )  # fmt: skip
                if with_conflict:
                    conflict = ConflictDeclaration.objects.get(
                        declarant=examiner, person=entries[1].application.person,
                        context_id=event.pk, has_conflict=True,
                    )  # fmt: skip
                    mitigation = propose_mitigation(
                        actor=examiner, declaration=conflict, kind=MitigationKind.SECOND_EXAMINER,
                        description="Amara Nwosu marks this candidate independently as well; "
                        "differing marks are reconciled and recorded.",
                    )  # fmt: skip
                    approve_mitigation(
                        actor=quality, mitigation=mitigation,
                        reason="A second examiner without links to the candidate protects the result.",
                    )  # fmt: skip
                    conflict_shown = True
                last_event = (
                    component_index == len(components) - 1 and group_index == len(groups) - 1
                )
                leave_unreconciled = last_event and double
                _mark(
                    ctx, event=event, examiner=examiner, second=second, component=component,
                    absent=absent, leave_unreconciled=leave_unreconciled,
                )  # fmt: skip
                releasable = ComponentResult.objects.filter(event=event, status=ResultStatus.FINAL)
                if (not last_event or version_index % 2 == 0) and releasable.exists():
                    release_event_results(actor=officer, event=event)
        if upcoming and components:
            _upcoming(
                ctx, officer=officer, examiner=examiner, second=second, invigilator=invigilator,
                quality=quality, component=components[0], applications=upcoming,
            )  # fmt: skip
    _share(ctx)
    ctx.log(
        f"  {AssessmentEvent.objects.count()} assessment events, "
        f"{ComponentResult.objects.count()} results, "
        f"{len(ctx.extra['passed_applications'])} candidates ready for a decision"
    )
    load_delivery(ctx)


def _mark(
    ctx: DemoContext,
    *,
    event: AssessmentEvent,
    examiner: User,
    second: User,
    component: AssessmentComponent,
    absent: Sequence[Any],
    leave_unreconciled: bool,
) -> None:
    absent_ids = {entry.pk for entry in absent}
    entries = list(event.candidates.select_related("application__person").order_by("pk"))
    left_one = False
    for entry in entries:
        if entry.pk in absent_ids:
            continue
        score = _score(ctx, component)
        result = record_first_mark(
            actor=examiner, entry=entry, score=score,
            rubric_notes="Scored against the published rubric, criterion by criterion.",
            feedback=ctx.rng.choice(FEEDBACK[score >= component.pass_mark]),
        )  # fmt: skip
        if result.status != ResultStatus.AWAITING_SECOND_MARK:
            continue
        tolerance = event.marking_tolerance
        apart = ctx.rng.random() < 0.15 or (leave_unreconciled and not left_one)
        offset = tolerance * Decimal("1.5") if apart else tolerance / 2
        second_score = min(max(score - offset, Decimal(0)), component.max_score).quantize(
            Decimal("0.5")
        )
        result = record_second_mark(
            actor=second, result=result, score=second_score,
            notes="Marked independently from the recording and the script.",
        )  # fmt: skip
        if result.status == ResultStatus.AWAITING_RECONCILIATION:
            if leave_unreconciled and not left_one:
                left_one = True
                continue
            reconcile_marks(
                actor=examiner, result=result, score=((score + second_score) / 2).quantize(Decimal("0.5")),
                notes="Both examiners reviewed the recording together and agreed on the score.",
            )  # fmt: skip


def _upcoming(
    ctx: DemoContext,
    *,
    officer: User,
    examiner: User,
    second: User,
    invigilator: User,
    quality: User,
    component: AssessmentComponent,
    applications: Sequence[Application],
) -> None:
    """A sitting in three weeks, with its personnel and candidates, not yet declared for."""
    starts = (timezone.now() + dt.timedelta(days=21)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    event = schedule_event(
        actor=officer, component=component, starts_at=starts, location=PLACES[0],
        capacity=max(len(applications), SEATS), duration_minutes=component.duration_minutes or 120,
    )  # fmt: skip
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    assign_personnel(actor=officer, event=event, user=invigilator, role="invigilator")
    for application in applications:
        add_candidate(actor=officer, event=event, application=application)
    today = timezone.localdate()
    record_training(
        actor=quality, trainer=second, person=applications[0].person,
        course="Preparation course for the practical examination", provider="Nordic Weld Academy",
        started_on=today - dt.timedelta(days=120), ended_on=today - dt.timedelta(days=116),
    )  # fmt: skip
    record_training(
        actor=quality, trainer=examiner, person=applications[-1].person,
        course="Introduction to visual inspection", provider="Peritus Academy",
        started_on=today - dt.timedelta(days=3 * 365), ended_on=today - dt.timedelta(days=3 * 365 - 4),
    )  # fmt: skip
