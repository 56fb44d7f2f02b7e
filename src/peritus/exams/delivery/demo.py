"""Demo online exam sessions, built with the delivery services (so the demo obeys every rule).

On the cloud security scheme's released form (`ctx.extra["exam_forms"]`), for the eligible
candidates the assessment demo left free to sit its exam:

* a session two weeks ago, **released**: answers simulated from each candidate's ability, one
  item keyed wrongly in the simulation (the strongest candidates choose another option), the
  analysis run, that item re-keyed and the others decided, everyone re-scored, the results
  released into the assessment record and the responses handed to the item statistics; an
  incident of suspected misconduct;
* a session two days ago, **scored** and waiting for the psychometrician's key validation;
* a session running **now**: one candidate booked, one checked in (waiting for the invigilator),
  two in progress (one with 25 % extra time, approved as an accommodation), one handed in, one
  closed at the deadline after the invigilator paused them; two incidents.

Idempotent: nothing is added when the form already has a session.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence

from django.utils import timezone

from peritus.accounts.models import User
from peritus.applications.models import (
    AccommodationKind,
    AccommodationStatus,
    Application,
    ApplicationStatus,
)
from peritus.applications.services import approve_accommodation, request_accommodation
from peritus.core.demo import DemoContext
from peritus.exams.delivery import autosave, gate, invigilation, release, sessions
from peritus.exams.delivery.form_content import delivered_form
from peritus.exams.delivery.invigilation import close_expired_attempts
from peritus.exams.delivery.marking import record_rubric_mark
from peritus.exams.models import (
    CLOSED_ATTEMPT_STATUSES,
    Attempt,
    AttemptStatus,
    ComponentResult,
    EventCandidate,
    EventStatus,
    ExamSession,
    IncidentKind,
    KeyDecisionChoice,
    KeyFinding,
    ResultStatus,
)
from peritus.exams.services import (
    CandidateDeclaration,
    assign_personnel,
    declare_event_interests,
    list_undeclared_entries,
)
from peritus.itembank.models import ExamForm
from peritus.itembank.qti.content import InteractionType, ItemContent
from peritus.itembank.statistics.selectors import is_released

LOCATION = "Online: the candidate portal, invigilated by video"


def _cloud_form(ctx: DemoContext) -> ExamForm | None:
    """The cloud security scheme's released form (from the item bank's demo, or the database)."""
    given: dict[str, list[ExamForm]] = ctx.extra.get("exam_forms", {})
    ids = [form.pk for slug, forms in sorted(given.items()) if "cloud" in slug for form in forms]
    forms = (
        ExamForm.objects.filter(pk__in=ids)
        if ids
        else ExamForm.objects.filter(blueprint__bank__scheme__slug__icontains="cloud")
    )
    return next((form for form in forms.order_by("pk") if is_released(form)), None)


def _bookable(form: ExamForm) -> list[Application]:
    """Eligible candidates with an account who may still sit the form's component."""
    component = form.blueprint.component
    applications = (
        Application.objects.filter(
            scheme_version_id=component.scheme_version_id,
            status=ApplicationStatus.ELIGIBLE,
            person__user__isnull=False,
        )
        .select_related("person__user")
        .order_by("pk")
    )
    passed = set(
        ComponentResult.objects.filter(
            component=component, passed=True, status__in=[ResultStatus.FINAL, ResultStatus.RELEASED]
        ).values_list("application_id", flat=True)
    )
    pending = set(
        EventCandidate.objects.filter(
            event__component=component, event__status__in=[EventStatus.SCHEDULED, EventStatus.HELD]
        )
        .exclude(attendance="absent")
        .filter(result__isnull=True)
        .values_list("application_id", flat=True)
    )
    return [a for a in applications if a.pk not in passed and a.pk not in pending]


def _fields(content: ItemContent, correct: bool, rng: random.Random) -> dict[str, list[str]]:
    """The form fields of a right or a wrong answer to the item."""
    kind = content.interaction
    ids = content.option_ids()
    if kind in (
        InteractionType.SINGLE_CHOICE,
        InteractionType.TRUE_FALSE,
        InteractionType.INLINE_CHOICE,
    ):
        wrong = [o for o in ids if o not in content.key] or ids
        return {"response": [content.key[0] if correct else rng.choice(wrong)]}
    if kind is InteractionType.MULTIPLE_RESPONSE:
        chosen = list(content.key) if correct else rng.sample(ids, k=max(1, len(content.key)))
        return {"response": chosen}
    if kind is InteractionType.ORDER:
        order = list(content.key)
        if not correct:
            order[0], order[-1] = order[-1], order[0]
        return {f"order-{option}": [str(order.index(option) + 1)] for option in ids}
    if kind is InteractionType.MATCH:
        pairs = dict(pair.split(" ", 1) for pair in content.key)
        right_ids = content.option_ids(1)
        return {
            f"match-{left}": [pairs.get(left, "") if correct else rng.choice(right_ids)]
            for left in content.option_ids(0)
        }
    if kind is InteractionType.NUMERIC_ENTRY:
        return {"response": [content.key[0] if correct else str(float(content.key[0]) + 1)]}
    if kind is InteractionType.TEXT_ENTRY:
        return {"response": [content.key[0] if correct else "not sure"]}
    return {"response": ["A short account of what I would do first, and why."]}


def _sit(
    attempt: Attempt,
    user: User,
    *,
    ability: float,
    rng: random.Random,
    start: dt.datetime,
    share: float = 1.0,
    miskey: tuple[int, str] | None = None,
) -> dt.datetime:
    """Answer the first `share` of the items, one save every ~40 s; returns the last save time."""
    form = delivered_form(attempt.session.form)
    order = Attempt.objects.get(pk=attempt.pk).item_order
    at = start
    for position, entry_id in enumerate(order[: max(1, int(len(order) * share))], start=1):
        item = form.by_entry[entry_id]
        at += dt.timedelta(seconds=rng.randint(20, 70))
        if rng.random() < 0.04:
            continue  # omitted
        difficulty = ((entry_id * 7919) % 100) / 50 - 1
        correct = rng.random() < 1 / (1 + math.exp(-1.4 * (ability - difficulty)))
        fields = _fields(item.content, correct, rng)
        if miskey is not None and entry_id == miskey[0]:
            fields = {
                "response": [miskey[1] if ability > 0.2 else rng.choice(item.content.option_ids())]
            }
        autosave.save_answer(
            actor=user, reference=attempt.reference, position=position, fields=fields,
            idempotency_key=f"demo-{attempt.reference}-{position}",
            flagged=rng.random() < 0.05, now=at,
        )  # fmt: skip
    return at


def _staff(ctx: DemoContext) -> dict[str, User] | None:
    labels = ("certification officer", "invigilator", "examiner", "psychometrician",
              "eligibility reviewer")  # fmt: skip
    if any(label not in ctx.users for label in labels):
        return None
    return {label: ctx.users[label] for label in labels}


def _session(
    form: ExamForm, staff: dict[str, User], starts_at: dt.datetime, capacity: int
) -> ExamSession:
    session = sessions.schedule_session(
        actor=staff["certification officer"], component=form.blueprint.component, form=form,
        starts_at=starts_at, location=LOCATION, capacity=capacity,
        booking_closes_at=starts_at - dt.timedelta(hours=12), late_start_minutes=240,
        notes="Camera and microphone on; one screen only.",
    )  # fmt: skip
    assign_personnel(actor=staff["certification officer"], event=session.event,
                     user=staff["invigilator"], role="invigilator")  # fmt: skip
    assign_personnel(actor=staff["certification officer"], event=session.event,
                     user=staff["examiner"], role="examiner")  # fmt: skip
    return ExamSession.objects.get(pk=session.pk)


def _seat(
    staff: dict[str, User],
    session: ExamSession,
    applications: Sequence[Application],
    now: dt.datetime,
) -> list[tuple[User, Attempt]]:
    seats = []
    for application in applications:
        attempt = sessions.book_seat(
            actor=staff["certification officer"], session=session, application=application, now=now
        )
        seats.append((application.person.user, attempt))
    _declare_no_conflicts(staff["invigilator"], session)
    return [(user, attempt) for user, attempt in seats if user is not None]


def _declare_no_conflicts(person: User, session: ExamSession) -> None:
    """The invigilator or examiner declares, for every candidate not yet declared, no conflict."""
    undeclared = list_undeclared_entries(session.event, person)
    if undeclared:
        declare_event_interests(
            actor=person, event=session.event,
            declarations=[CandidateDeclaration(entry, has_conflict=False) for entry in undeclared],
        )  # fmt: skip


def _admit(staff: dict[str, User], attempt: Attempt, user: User, at: dt.datetime) -> Attempt:
    gate.check_in(actor=user, attempt=attempt, accept_rules=True, accept_nda=True, now=at)
    gate.record_identity_check(
        actor=staff["invigilator"], attempt=attempt, document="passport", release=True,
        now=at + dt.timedelta(minutes=2),
    )  # fmt: skip
    return gate.start_attempt(actor=user, attempt=attempt, now=at + dt.timedelta(minutes=4))


def _with_extra_time(staff: dict[str, User], applications: list[Application]) -> Application:
    """A candidate with 25 % extra time approved (asked for now if nobody has it)."""
    for application in applications:
        if application.accommodations.filter(
            kind=AccommodationKind.EXTRA_TIME, status=AccommodationStatus.APPROVED
        ).exists():
            return application
    application = applications[0]
    user = application.person.user
    assert user is not None
    accommodation = request_accommodation(
        actor=user, application=application, kind=AccommodationKind.EXTRA_TIME,
        need="Dyslexia assessed in 2021; reading long stems takes me longer.",
        extra_time_percent=25,
    )  # fmt: skip
    approve_accommodation(
        actor=staff["eligibility reviewer"], accommodation=accommodation,
        arrangements="25 % extra time on every timed examination.",
        reasons="The assessment report supports it.", extra_time_percent=25,
    )  # fmt: skip
    return application


def load_delivery(ctx: DemoContext) -> None:
    form = _cloud_form(ctx)
    staff = _staff(ctx)
    if form is None or staff is None:
        ctx.log("  no released cloud security form: no online sessions")
        return
    if ExamSession.objects.filter(form=form).exists():
        _log(ctx, form)
        return
    rng = random.Random(ctx.rng.random())  # noqa: S311 - demo data, not security
    pool = _bookable(form)
    rng.shuffle(pool)
    if len(pool) < 8:
        ctx.log(f"  only {len(pool)} candidates free to sit the cloud exam: no online sessions")
        return
    live_pool, scored_pool, released_pool = pool[:6], pool[6:9], pool[9:]
    live_pool.insert(2, live_pool.pop(live_pool.index(_with_extra_time(staff, live_pool))))
    now = timezone.now().replace(second=0, microsecond=0)
    if released_pool:
        _released_session(ctx, form=form, staff=staff, applications=released_pool, rng=rng, now=now)
    _scored_session(form=form, staff=staff, applications=scored_pool, rng=rng, now=now)
    _live_session(form=form, staff=staff, applications=live_pool, rng=rng, now=now)
    _log(ctx, form)


def _released_session(
    ctx: DemoContext, *, form: ExamForm, staff: dict[str, User], applications: list[Application],
    rng: random.Random, now: dt.datetime,
) -> None:  # fmt: skip
    starts = (now - dt.timedelta(days=14)).replace(hour=9, minute=0)
    session = _session(form, staff, starts, len(applications) + 4)
    seats = _seat(staff, session, applications, starts - dt.timedelta(days=3))
    delivered = delivered_form(form)
    # The item the item bank's demo statistics show as miskeyed (the middle single-response item
    # with more than two options, really answered by its first other option): the same story.
    single = [
        item for item in delivered.items
        if item.content.interaction in (InteractionType.SINGLE_CHOICE, InteractionType.TRUE_FALSE,
                                        InteractionType.INLINE_CHOICE)
        and len(item.content.options) > 2
    ]  # fmt: skip
    miskeyed = single[len(single) // 2]
    also_right = next(o for o in miskeyed.content.option_ids() if o not in miskeyed.content.key)
    for index, (user, booked) in enumerate(seats):
        ability = rng.gauss(0.3, 1.0)
        attempt = _admit(
            staff, booked, user, starts - dt.timedelta(minutes=15) + dt.timedelta(minutes=index)
        )
        last = _sit(attempt, user, ability=ability, rng=rng, start=starts,
                    miskey=(miskeyed.entry_id, also_right))  # fmt: skip
        if index == 1:
            invigilation.record_incident(
                actor=staff["invigilator"], session=session, attempt=attempt,
                kind=IncidentKind.SUSPECTED_MISCONDUCT,
                notes="Eyes repeatedly off screen to the left at 09:40; asked to show the room "
                "on camera: a phone on the desk, turned face down and moved away. Warned.",
                occurred_at=starts + dt.timedelta(minutes=40), now=starts + dt.timedelta(minutes=42),
            )  # fmt: skip
        autosave.submit_attempt(actor=user, attempt=attempt, now=last + dt.timedelta(minutes=3))
    ended = starts + dt.timedelta(hours=5)
    sessions.end_session(actor=staff["invigilator"], session=session, now=ended)
    _mark_rubric_responses(session, staff["examiner"], rng=rng, now=ended + dt.timedelta(hours=20))
    psychometrician = staff["psychometrician"]
    review = release.analyse_session_keys(
        actor=psychometrician, session=session, now=ended + dt.timedelta(days=1)
    )
    finding = KeyFinding.objects.filter(review=review, form_entry_id=miskeyed.entry_id).first()
    if finding is None:
        finding = release.add_key_finding(
            actor=psychometrician, session=session, entry_id=miskeyed.entry_id,
            reason="Three candidates wrote that the guidance changed; the strongest chose another option.",
        )  # fmt: skip
    decided = ended + dt.timedelta(days=1, hours=2)
    release.decide_key(
        actor=psychometrician, finding=finding, decision=KeyDecisionChoice.REKEY,
        new_key=[also_right],
        reason=f"Option {also_right} is the right answer under the current provider guidance; "
        "the bank's key is outdated (item sent back to its author).",
        now=decided,
    )  # fmt: skip
    for other in KeyFinding.objects.filter(review=review, decision="").order_by("pk"):
        release.decide_key(
            actor=psychometrician, finding=other, decision=KeyDecisionChoice.ACCEPT,
            reason="Key checked against the reference; small sample.", now=decided,
        )  # fmt: skip
    release.complete_key_validation(
        actor=psychometrician, session=session, now=decided + dt.timedelta(minutes=30)
    )
    release.release_session_results(
        actor=staff["certification officer"], session=ExamSession.objects.get(pk=session.pk),
        now=ended + dt.timedelta(days=3),
    )  # fmt: skip
    del ctx


def _mark_rubric_responses(
    session: ExamSession, examiner: User, *, rng: random.Random, now: dt.datetime
) -> None:
    """The examiner marks every extended response of the session against its rubric.

    Whether the approved form holds an extended-response item depends on the assembly (a
    time-limited solver): the session is marked either way, as results are released only when
    every response has its mark."""
    form = delivered_form(session.form)
    if not form.has_rubric_items:
        return
    _declare_no_conflicts(examiner, session)
    attempts = Attempt.objects.filter(session=session, status__in=CLOSED_ATTEMPT_STATUSES)
    for attempt in attempts.order_by("pk"):
        for entry_id in attempt.item_order:
            item = form.by_entry.get(entry_id)
            if item is None or not item.is_rubric:
                continue
            record_rubric_mark(
                actor=examiner, attempt=attempt, entry_id=entry_id,
                score=math.floor(float(item.points) * rng.uniform(0.4, 1.0)),
                notes="Marked against the rubric: the first steps in the right order, reasons given.",
                now=now,
            )  # fmt: skip


def _scored_session(
    *, form: ExamForm, staff: dict[str, User], applications: list[Application], rng: random.Random,
    now: dt.datetime,
) -> None:  # fmt: skip
    starts = (now - dt.timedelta(days=2)).replace(hour=13, minute=0)
    session = _session(form, staff, starts, len(applications) + 2)
    seats = _seat(staff, session, applications, starts - dt.timedelta(days=1))
    for index, (user, booked) in enumerate(seats):
        attempt = _admit(
            staff, booked, user, starts - dt.timedelta(minutes=10) + dt.timedelta(minutes=index)
        )
        last = _sit(attempt, user, ability=rng.gauss(0.2, 1.0), rng=rng, start=starts)
        autosave.submit_attempt(actor=user, attempt=attempt, now=last + dt.timedelta(minutes=5))
    sessions.end_session(
        actor=staff["invigilator"], session=session, now=starts + dt.timedelta(hours=4)
    )


def _live_session(
    *, form: ExamForm, staff: dict[str, User], applications: list[Application], rng: random.Random,
    now: dt.datetime,
) -> None:  # fmt: skip
    """Booked, checked in, two in progress (one with 25 % extra time), handed in, timed out.

    The session opened two hours ago for a four-hour start window (online, on demand): the one
    closed at the deadline began as soon as check-in opened; the two still sitting began ten
    minutes ago; the booked and checked-in candidates may still start.
    """
    starts = now - dt.timedelta(hours=2)
    session = _session(form, staff, starts, 12)
    seats = _seat(staff, session, applications, starts - dt.timedelta(days=2))
    invigilator = staff["invigilator"]
    (_booked_user, _booked), (checked_user, checked), *sitting = seats
    gate.check_in(actor=checked_user, attempt=checked, accept_rules=True, accept_nda=True,
                  now=now - dt.timedelta(minutes=2))  # fmt: skip
    in_progress, extra, submitted, timed_out = sitting
    for user, attempt in (in_progress, extra):
        begun = _admit(staff, attempt, user, now - dt.timedelta(minutes=14))
        _sit(begun, user, ability=rng.gauss(0.4, 0.8), rng=rng,
             start=now - dt.timedelta(minutes=10), share=0.25)  # fmt: skip
    user, attempt = submitted
    begun = _admit(staff, attempt, user, starts)
    last = _sit(begun, user, ability=rng.gauss(0.8, 0.5), rng=rng, start=starts)
    autosave.submit_attempt(actor=user, attempt=begun, now=last + dt.timedelta(minutes=2))

    user, attempt = timed_out
    opened = starts - dt.timedelta(minutes=50)
    begun = _admit(staff, attempt, user, opened)
    invigilation.pause_attempt(actor=invigilator, attempt=begun, note="Connection lost",
                               now=opened + dt.timedelta(minutes=10))  # fmt: skip
    invigilation.resume_attempt(actor=invigilator, attempt=begun,
                                now=opened + dt.timedelta(minutes=13))  # fmt: skip
    invigilation.record_incident(
        actor=invigilator, session=session, attempt=begun, kind=IncidentKind.TECHNICAL_FAULT,
        notes="The candidate's connection dropped for three minutes; paused and resumed, the "
        "time is credited.",
        occurred_at=opened + dt.timedelta(minutes=10), now=opened + dt.timedelta(minutes=14),
    )  # fmt: skip
    _sit(begun, user, ability=-0.3, rng=rng, start=opened + dt.timedelta(minutes=14), share=0.6)
    invigilation.record_incident(
        actor=invigilator, session=session, kind=IncidentKind.IRREGULARITY,
        notes="Background noise in two candidates' rooms for a minute; nobody asked to pause.",
        occurred_at=starts + dt.timedelta(minutes=20), now=starts + dt.timedelta(minutes=21),
    )  # fmt: skip
    # Closed by the server's clock, as the tick job does: at the deadline, which has passed.
    close_expired_attempts(now=now)


def _log(ctx: DemoContext, form: ExamForm) -> None:
    counts: dict[str, int] = {}
    for status in Attempt.objects.filter(session__form=form).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    shown = ", ".join(f"{AttemptStatus(s).label.lower()} {n}" for s, n in sorted(counts.items()))
    booked = (
        Attempt.objects.filter(session__form=form, status=AttemptStatus.BOOKED)
        .select_related("candidate")
        .first()
    )
    ctx.log(f"  online sessions of {form.code}: {shown}")
    if booked is not None:
        ctx.log(f"  sit the live session as {booked.candidate.email} (seat {booked.reference})")
