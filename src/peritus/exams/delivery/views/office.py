"""Office pages of online delivery: sessions and seats (officers), the invigilation console,
rubric marking (examiners), key validation (psychometricians), release (officers), and the record
of one attempt. Thin: access-checked fetch, form, service, message or refusal.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.requests import actor_of, require_perm
from peritus.applications.selectors import list_eligible_applications
from peritus.audit_trail.selectors import list_events_for
from peritus.core.access import get_object_for
from peritus.core.errors import DomainError
from peritus.exams.delivery import gate, invigilation, marking, release, selectors, sessions
from peritus.exams.delivery.form_content import delivered_form
from peritus.exams.delivery.forms import (
    AddFindingForm,
    AddTimeForm,
    AdjudicationForm,
    AssignSeatForm,
    IdentityForm,
    IncidentForm,
    KeyDecisionForm,
    ReasonForm,
    RubricMarkForm,
    SessionForm,
)
from peritus.exams.delivery.grading import current_answers
from peritus.exams.models import (
    Attempt,
    ClockEvent,
    ExamSession,
    KeyFinding,
    KeyReview,
    MarkStatus,
    RubricMark,
    SessionStatus,
)
from peritus.itembank.models import ExamForm, FormStatus
from peritus.itembank.presentation import present
from peritus.schemes.models import AssessmentComponent, AssessmentComponentKind


def _session(request: HttpRequest, pk: int, perm: str | None = None) -> ExamSession:
    return get_object_for(
        request.user, selectors.sessions_queryset(), view_perm="exams.view_session", perm=perm,
        pk=pk,
    )  # fmt: skip


def _attempt(request: HttpRequest, reference: str, perm: str | None = None) -> Attempt:
    attempt = (
        Attempt.objects.select_related(
            "session__event__component", "session__form", "entry__application__person"
        )
        .filter(reference=reference)
        .first()
    )
    if attempt is None or not request.user.has_perm("exams.view_session", attempt.session):
        raise Http404
    if perm is not None and not request.user.has_perm(perm, attempt.session):
        raise PermissionDenied
    return attempt


def _done(request: HttpRequest, error: DomainError | None, success: str) -> None:
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, success)


# Sessions and seats -----------------------------------------------------------------------------


def session_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "exams.view_sessions")
    upcoming = request.GET.get("when", "upcoming") != "past"
    return render(
        request,
        "exams/delivery/session_list.html",
        {
            "sessions": list(selectors.list_sessions_for(request.user, upcoming=upcoming)[:200]),
            "upcoming": upcoming,
            "may_schedule": request.user.has_perm("exams.schedule_session"),
        },
    )


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "exams.schedule_session")
    components = AssessmentComponent.objects.filter(
        kind=AssessmentComponentKind.EXAM, scheme_version__status__in=["published", "retired"]
    ).select_related("scheme_version__scheme")
    exam_forms = ExamForm.objects.filter(
        status=FormStatus.APPROVED, blueprint__component__in=components
    ).select_related("blueprint__component")
    form = SessionForm(request.POST or None, components=components, exam_forms=exam_forms)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = sessions.schedule_session(
                actor=actor_of(request), component=data["component"], form=data["form"],
                starts_at=data["starts_at"], location=data["location"], capacity=data["capacity"],
                duration_minutes=data["duration_minutes"],
                booking_closes_at=data["booking_closes_at"],
                late_start_minutes=data["late_start_minutes"],
                shuffle_items=data["shuffle_items"], shuffle_options=data["shuffle_options"],
                double_marking=data["double_marking"],
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The session is scheduled. Assign its invigilators."))
            return redirect("exams:session-detail", pk=session.pk)
    status = 422 if form.errors else 200
    return render(request, "exams/delivery/session_form.html", {"form": form}, status=status)


def _session_page(
    request: HttpRequest, session: ExamSession, status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    manage = user.has_perm("exams.assign_seat", session)
    invigilate = user.has_perm("exams.invigilate_session", session)
    mark = user.has_perm("exams.mark_responses", session)
    validate = user.has_perm("exams.validate_keys", session)
    # Examiners mark blind and psychometricians work on items: neither needs the names.
    names = (
        manage
        or invigilate
        or (user.has_perm("exams.view_event", session.event) and not mark and not validate)
    )
    attempts = list(session.attempts.select_related("entry__application__person").order_by("pk"))
    review = KeyReview.objects.filter(session=session).first()
    context: dict[str, Any] = {
        "session": session,
        "event": session.event,
        "attempts": attempts,
        "show_names": names,
        "manage": manage,
        "invigilate": invigilate,
        "mark": mark,
        "validate": validate,
        "may_release": user.has_perm("exams.release_session", session)
        and session.status == SessionStatus.VALIDATED,
        "review": review,
        "pending_marks": selectors.count_rubric_marks_pending(session)
        if session.status != SessionStatus.SCHEDULED
        else 0,
        "seat_form": AssignSeatForm(
            applications=list_eligible_applications(
                scheme_version_id=session.event.scheme_version_id
            ).exclude(assessment_entries__event=session.event)
        )
        if manage and session.status == SessionStatus.SCHEDULED
        else None,
    }
    context.update(forms)
    return render(request, "exams/delivery/session_detail.html", context, status=status)


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_page(request, _session(request, pk))


@require_POST
def session_assign_seat(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, perm="exams.assign_seat")
    form = AssignSeatForm(
        request.POST,
        applications=list_eligible_applications(scheme_version_id=session.event.scheme_version_id),
    )
    if form.is_valid():
        try:
            sessions.book_seat(
                actor=actor_of(request), session=session,
                application=form.cleaned_data["application"],
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The seat is assigned and the candidate told."))
            return redirect("exams:session-detail", pk=session.pk)
    return _session_page(request, session, status=422, seat_form=form)


@require_POST
def session_release(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, perm="exams.release_session")
    error: DomainError | None = None
    try:
        results = release.release_session_results(actor=actor_of(request), session=session)
    except DomainError as caught:
        error = caught
        results = []
    _done(request, error, _("%(n)s results are released.") % {"n": len(results)})
    return redirect("exams:session-detail", pk=session.pk)


# The invigilation console -----------------------------------------------------------------------


def console(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, perm="exams.invigilate_session")
    rows = selectors.console_rows(session, now=timezone.now())
    return render(
        request,
        "exams/delivery/console.html",
        {
            "session": session,
            "event": session.event,
            "rows": rows,
            "incidents": list(selectors.list_session_incidents(session)[:50]),
            "identity_form": IdentityForm(),
            "time_form": AddTimeForm(),
            "incident_form": IncidentForm(
                attempts=[(row.attempt.reference, row.candidate_name) for row in rows]
            ),
            "open_attempts": sum(
                1 for row in rows if row.attempt.status in ("in_progress", "paused")
            ),
        },
    )


def _console_redirect(session_id: int) -> HttpResponse:
    return redirect("exams:session-console", pk=session_id)


@require_POST
def attempt_identity(request: HttpRequest, reference: str) -> HttpResponse:
    attempt = _attempt(request, reference, perm="exams.invigilate_session")
    form = IdentityForm(request.POST)
    error: DomainError | None = None
    if form.is_valid():
        try:
            gate.record_identity_check(
                actor=actor_of(request), attempt=attempt, document=form.cleaned_data["document"],
                release=bool(request.POST.get("release")),
            )  # fmt: skip
        except DomainError as caught:
            error = caught
        _done(request, error, _("Identity recorded; accommodations applied."))
    else:
        messages.error(request, _("Say which identity document you saw."))
    return _console_redirect(attempt.session_id)


def _attempt_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    attempt = _attempt(request, reference, perm="exams.invigilate_session")
    actor = actor_of(request)
    error: DomainError | None = None
    success = ""
    try:
        if action == "release":
            gate.release_start(actor=actor, attempt=attempt)
            success = _("The candidate may start.")
        elif action == "pause":
            invigilation.pause_attempt(
                actor=actor, attempt=attempt, note=request.POST.get("note", "")
            )
            success = _("The candidate is paused; their clock stopped.")
        elif action == "resume":
            invigilation.resume_attempt(actor=actor, attempt=attempt)
            success = _("The candidate's clock runs again; the pause is credited.")
        elif action == "time":
            form = AddTimeForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give the minutes (1 to 120) and the reason."))
                return _console_redirect(attempt.session_id)
            invigilation.add_time(actor=actor, attempt=attempt, **form.cleaned_data)
            success = _("Time added.")
        elif action == "end":
            reason_form = ReasonForm(request.POST)
            if not reason_form.is_valid():
                messages.error(request, _("Give the reason for ending the attempt."))
                return _console_redirect(attempt.session_id)
            invigilation.end_attempt(
                actor=actor, attempt=attempt, reason=reason_form.cleaned_data["reason"]
            )
            success = _("The attempt is ended.")
        else:
            raise Http404
    except DomainError as caught:
        error = caught
    _done(request, error, success)
    return _console_redirect(attempt.session_id)


@require_POST
def attempt_release(request: HttpRequest, reference: str) -> HttpResponse:
    return _attempt_action(request, reference, "release")


@require_POST
def attempt_pause(request: HttpRequest, reference: str) -> HttpResponse:
    return _attempt_action(request, reference, "pause")


@require_POST
def attempt_resume(request: HttpRequest, reference: str) -> HttpResponse:
    return _attempt_action(request, reference, "resume")


@require_POST
def attempt_add_time(request: HttpRequest, reference: str) -> HttpResponse:
    return _attempt_action(request, reference, "time")


@require_POST
def attempt_end(request: HttpRequest, reference: str) -> HttpResponse:
    return _attempt_action(request, reference, "end")


@require_POST
def session_pause(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, perm="exams.invigilate_session")
    error: DomainError | None = None
    try:
        sessions.pause_session(actor=actor_of(request), session=session,
                               note=request.POST.get("note", ""))  # fmt: skip
    except DomainError as caught:
        error = caught
    _done(request, error, _("The whole session is paused; every clock stopped."))
    return _console_redirect(session.pk)


@require_POST
def session_resume(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, perm="exams.invigilate_session")
    error: DomainError | None = None
    try:
        sessions.resume_session(actor=actor_of(request), session=session)
    except DomainError as caught:
        error = caught
    _done(request, error, _("The session runs again; the pause is credited to everyone."))
    return _console_redirect(session.pk)


@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    if not (
        request.user.has_perm("exams.invigilate_session", session)
        or request.user.has_perm("exams.assign_seat", session)
    ):
        raise PermissionDenied
    error: DomainError | None = None
    try:
        sessions.end_session(actor=actor_of(request), session=session)
    except DomainError as caught:
        error = caught
    _done(request, error, _("The session has ended; the attempts are scored."))
    return redirect("exams:session-detail", pk=session.pk)


@require_POST
def session_incident(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, perm="exams.invigilate_session")
    attempts = {a.reference: a for a in session.attempts.all()}
    form = IncidentForm(request.POST, attempts=[(ref, ref) for ref in attempts])
    error: DomainError | None = None
    if form.is_valid():
        try:
            invigilation.record_incident(
                actor=actor_of(request), session=session, kind=form.cleaned_data["kind"],
                notes=form.cleaned_data["notes"],
                attempt=attempts.get(form.cleaned_data["attempt"] or ""),
            )  # fmt: skip
        except DomainError as caught:
            error = caught
        _done(request, error, _("The incident is recorded."))
    else:
        messages.error(request, _("Choose the kind of incident and describe it."))
    return _console_redirect(session.pk)


# Rubric marking ---------------------------------------------------------------------------------


def marking_list(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, perm="exams.mark_responses")
    return render(
        request,
        "exams/delivery/marking_list.html",
        {"session": session, "work": selectors.list_rubric_work(session)},
    )


@require_http_methods(["GET", "POST"])
def mark_response(request: HttpRequest, reference: str, entry_id: int) -> HttpResponse:
    """One extended response, blind (no name), with the rubric and the marks so far."""
    attempt = _attempt(request, reference, perm="exams.mark_responses")
    session = attempt.session
    item = delivered_form(session.form).by_entry.get(entry_id)
    if item is None or not item.is_rubric or entry_id not in attempt.item_order:
        raise Http404
    mark = RubricMark.objects.filter(attempt=attempt, form_entry_id=entry_id).first()
    actor = actor_of(request)
    form: RubricMarkForm | AdjudicationForm = (
        AdjudicationForm(request.POST or None)
        if mark is not None and mark.status == MarkStatus.AWAITING_RECONCILIATION
        else RubricMarkForm(request.POST or None)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if mark is None:
                marking.record_rubric_mark(
                    actor=actor, attempt=attempt, entry_id=entry_id, score=data["score"],
                    notes=data["notes"],
                )  # fmt: skip
            elif mark.status == MarkStatus.AWAITING_SECOND_MARK:
                marking.record_second_rubric_mark(
                    actor=actor, mark=mark, score=data["score"], notes=data["notes"]
                )
            elif mark.status == MarkStatus.AWAITING_RECONCILIATION:
                marking.adjudicate_rubric_mark(
                    actor=actor, mark=mark, score=data["score"], notes=data["notes"]
                )
            else:
                raise Http404
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The mark is recorded."))
            return redirect("exams:session-marking", pk=session.pk)
    answer = current_answers([attempt.pk])[attempt.pk].get(entry_id)
    presented = present(item.content)
    may_mark = (
        mark is None
        or (mark.status == MarkStatus.AWAITING_SECOND_MARK and mark.first_marker_id != actor.pk)
        or mark.status == MarkStatus.AWAITING_RECONCILIATION
    )
    return render(
        request,
        "exams/delivery/mark_response.html",
        {
            "attempt": attempt,
            "session": session,
            "item": item,
            "p": presented,
            "response": answer.response[0] if answer and answer.response else "",
            "mark": mark,
            "form": form if may_mark else None,
        },
        status=422 if form.errors else 200,
    )


# Key validation ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def key_review(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, perm="exams.validate_keys")
    actor = actor_of(request)
    if request.method == "POST":
        error: DomainError | None = None
        try:
            if request.POST.get("action") == "complete":
                release.complete_key_validation(actor=actor, session=session)
                success = _("Key validation completed; every candidate was re-scored.")
            else:
                release.analyse_session_keys(actor=actor, session=session)
                success = _("The items are analysed.")
        except DomainError as caught:
            error = caught
            success = ""
        _done(request, error, success)
        return redirect("exams:session-keys", pk=session.pk)
    review = KeyReview.objects.filter(session=session).first()
    form_content = delivered_form(session.form)
    findings = list(selectors.list_key_findings(session)) if review else []
    cards = []
    for finding in findings:
        item = form_content.by_entry[finding.form_entry_id]
        options = [(o.identifier, o.identifier) for o in item.content.options]
        cards.append(
            {
                "finding": finding,
                "item": item,
                "p": present(item.content),
                "key": list(item.content.key),
                "form": KeyDecisionForm(
                    option_ids=options,
                    initial={
                        "decision": finding.decision or None,
                        "new_key": finding.new_key,
                        "reason": finding.reason,
                    },
                ),
            }
        )
    flagged_entries = {finding.form_entry_id for finding in findings}
    return render(
        request,
        "exams/delivery/key_review.html",
        {
            "session": session,
            "review": review,
            "cards": cards,
            "undecided": sum(1 for finding in findings if not finding.decision),
            "add_form": AddFindingForm(
                entries=[
                    (i.entry_id, f"{i.form_position}. {i.label}")
                    for i in form_content.items
                    if not i.is_rubric and i.entry_id not in flagged_entries
                ]
            )
            if review is not None and review.status == "open"
            else None,
        },
    )


@require_POST
def key_decide(request: HttpRequest, pk: int, finding_id: int) -> HttpResponse:
    session = _session(request, pk, perm="exams.validate_keys")
    finding = KeyFinding.objects.filter(pk=finding_id, review__session=session).first()
    if finding is None:
        raise Http404
    item = delivered_form(session.form).by_entry[finding.form_entry_id]
    form = KeyDecisionForm(
        request.POST, option_ids=[(o.identifier, o.identifier) for o in item.content.options]
    )
    error: DomainError | None = None
    if form.is_valid():
        try:
            release.decide_key(
                actor=actor_of(request), finding=finding, decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"], new_key=form.cleaned_data["new_key"],
            )  # fmt: skip
        except DomainError as caught:
            error = caught
        _done(request, error, _("The decision on %(item)s is recorded.") % {"item": finding.label})
    else:
        messages.error(request, _("Choose a decision."))
    return redirect("exams:session-keys", pk=session.pk)


@require_POST
def key_add_finding(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, perm="exams.validate_keys")
    items = delivered_form(session.form).items
    form = AddFindingForm(request.POST, entries=[(i.entry_id, i.label) for i in items])
    error: DomainError | None = None
    if form.is_valid():
        try:
            release.add_key_finding(
                actor=actor_of(request), session=session, entry_id=int(form.cleaned_data["entry"]),
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except DomainError as caught:
            error = caught
        _done(request, error, _("The item is under review."))
    else:
        messages.error(request, _("Choose the item and say why."))
    return redirect("exams:session-keys", pk=session.pk)


# The record of one attempt (officers, decision makers, assessors; an appeal) ---------------------


def attempt_record(request: HttpRequest, reference: str) -> HttpResponse:
    attempt = _attempt(request, reference)
    session = attempt.session
    user = request.user
    if not (
        user.has_perm("exams.assign_seat", session) or user.has_perm("exams.view_result", session.event)
        or user.has_perm("exams.invigilate_session", session)
    ):  # fmt: skip
        raise PermissionDenied
    # Invigilators see the clock and incidents, never the answers (R14).
    show_answers = user.has_perm("exams.view_result", session.event) and not user.has_perm(
        "exams.invigilate_session", session
    )
    return render(
        request,
        "exams/delivery/attempt_record.html",
        {
            "attempt": attempt,
            "session": session,
            "clock_events": list(
                ClockEvent.objects.filter(attempt=attempt)
                .select_related("actor")
                .order_by("at", "pk")
            ),
            "answers": list(attempt.answers.order_by("id")) if show_answers else [],
            "show_answers": show_answers,
            "incidents": list(attempt.incidents.select_related("recorded_by")),
            "events": list(list_events_for(attempt)),
        },
    )
