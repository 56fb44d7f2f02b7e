"""Office pages for assessment events and results, and the candidate's portal page.

Thin: parse the form, fetch through an access check, call a service, show the refusal or the
result. What an examiner may do for each candidate comes from `services.marking_blocks`, the same
check the marking services make.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.requests import actor_of, require_perm
from peritus.accounts.selectors import get_person_of_user
from peritus.applications.selectors import get_approved_accommodations
from peritus.core.access import get_object_for
from peritus.core.errors import DomainError
from peritus.exams import selectors, services
from peritus.exams.forms import (
    AddCandidateForm,
    AssignmentForm,
    AttachmentForm,
    AttendanceForm,
    DeclarationForm,
    EventForm,
    MarkForm,
    ReasonForm,
    ReconciliationForm,
    SecondMarkForm,
)
from peritus.exams.models import (
    AssessmentEvent,
    ComponentResult,
    EventCandidate,
    EventStatus,
    ResultAttachment,
    ResultStatus,
)
from peritus.impartiality.selectors import list_declarations_in

PAGE_SIZE = 50


def _event_for(request: HttpRequest, pk: int) -> AssessmentEvent:
    return get_object_for(
        request.user, selectors.events_queryset(), view_perm="exams.view_event", pk=pk
    )


def _entry_for(request: HttpRequest, pk: int) -> EventCandidate:
    return get_object_for(
        request.user,
        EventCandidate.objects.select_related(
            "event__component", "event__scheme", "application__person", "application__scheme"
        ),
        view_perm="exams.view_event",
        pk=pk,
    )


def _result_for(request: HttpRequest, pk: int) -> ComponentResult:
    return get_object_for(
        request.user,
        ComponentResult.objects.select_related(
            "entry__event__component", "event", "component", "application__person"
        ),
        view_perm="exams.view_event",
        pk=pk,
    )


# Events -----------------------------------------------------------------------------------------------


def event_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "exams.view_events")
    upcoming = request.GET.get("when", "upcoming") != "past"
    events = selectors.list_events_for(request.user, upcoming=upcoming)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "exams/event_list.html",
        {
            "page": page,
            "upcoming": upcoming,
            "may_schedule": request.user.has_perm("exams.schedule_event"),
        },
    )


@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "exams.schedule_event")
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.schedule_event(actor=actor_of(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Event %(ref)s is scheduled.") % {"ref": event.reference})
            return redirect("exams:event-detail", pk=event.pk)
    status = 422 if form.errors else 200
    return render(request, "exams/event_form.html", {"form": form}, status=status)


def _event_page(
    request: HttpRequest, event: AssessmentEvent, status: int = 200, **forms: Any
) -> HttpResponse:
    event = selectors.get_event_with_parts(event.pk)
    user = request.user
    entries = list(event.candidates.all())
    manage = user.has_perm("exams.manage_event", event)
    assignment = selectors.get_assignment(event, user)
    is_examiner = assignment is not None and assignment.role == "examiner"
    blocks = services.marking_blocks(user, event, entries) if is_examiner else {}
    may_see_scores = manage or user.has_perm("exams.view_result", event)
    withdrawn_codes = {"conflict_of_interest", "trained_candidate"}
    rows = [
        {
            "entry": entry,
            "result": getattr(entry, "result", None),
            "withdrawn": blocks.get(entry.pk) in withdrawn_codes,
            # An examiner sees the scores of the candidates they may mark, nobody else's (R15).
            "show_score": (is_examiner and entry.pk not in blocks)
            or (may_see_scores and not is_examiner),
            "accommodations": entry.application.approved_accommodations  # type: ignore[attr-defined]
            if manage or assignment is not None
            else [],
        }
        for entry in entries
    ]
    online = hasattr(event, "exam_session")  # an online session runs from its own pages
    context: dict[str, Any] = {
        "event": event,
        "rows": rows,
        "assignment": assignment,
        "is_examiner": is_examiner,
        "undeclared": len(services.list_undeclared_entries(event, user)) if assignment else 0,
        "manage": manage,
        "may_record_attendance": user.has_perm("exams.record_attendance", event)
        and event.status == EventStatus.SCHEDULED
        and not online,
        "may_see_scores": may_see_scores,
        "to_release": selectors.count_results_to_release(event) if manage else 0,
        "assign_form": AssignmentForm(event=event) if manage else None,
        "candidate_form": AddCandidateForm(applications=selectors.list_addable_applications(event))
        if manage and event.status == EventStatus.SCHEDULED and not online
        else None,
        "cancel_form": ReasonForm() if manage and event.status == EventStatus.SCHEDULED else None,
        "open_seats": selectors.count_open_seats(event),
    }
    context.update(forms)
    return render(request, "exams/event_detail.html", context, status=status)


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_page(request, _event_for(request, pk))


@require_POST
def event_assign(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    require_perm(request, "exams.manage_event", event)
    form = AssignmentForm(request.POST, event=event)
    if form.is_valid():
        try:
            services.assign_personnel(actor=actor_of(request), event=event, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The assignment is recorded."))
            return redirect("exams:event-detail", pk=event.pk)
    return _event_page(request, event, status=422, assign_form=form)


@require_POST
def event_add_candidate(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    require_perm(request, "exams.manage_event", event)
    form = AddCandidateForm(request.POST, applications=selectors.list_bookable_applications(event))
    if form.is_valid():
        try:
            services.add_candidate(
                actor=actor_of(request), event=event, application=form.cleaned_data["application"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The candidate is booked and told."))
            return redirect("exams:event-detail", pk=event.pk)
    return _event_page(request, event, status=422, candidate_form=form)


@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    require_perm(request, "exams.manage_event", event)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_event(
                actor=actor_of(request), event=event, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The event is cancelled and its candidates are told."))
            return redirect("exams:event-detail", pk=event.pk)
    return _event_page(request, event, status=422, cancel_form=form)


@require_http_methods(["GET", "POST"])
def event_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    require_perm(request, "exams.record_attendance", event)
    form = AttendanceForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_event_held(
                actor=actor_of(request), event=event, absent=form.cleaned_data["absent"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The sitting is recorded as held. Marking may begin."))
            return redirect("exams:event-detail", pk=event.pk)
    status = 422 if form.errors else 200
    return render(request, "exams/attendance.html", {"event": event, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def event_declarations(request: HttpRequest, pk: int) -> HttpResponse:
    """The examiner's declaration screen: one answer per candidate, before any result."""
    event = _event_for(request, pk)
    require_perm(request, "exams.declare_for_event", event)
    undeclared = services.list_undeclared_entries(event, request.user)
    forms = [DeclarationForm(request.POST or None, entry=entry) for entry in undeclared]
    error_message = ""
    if request.method == "POST" and forms and all(form.is_valid() for form in forms):
        try:
            services.declare_event_interests(
                actor=actor_of(request),
                event=event,
                declarations=[
                    services.CandidateDeclaration(
                        entry=form.entry,
                        has_conflict=form.cleaned_data["has_conflict"],
                        nature=form.cleaned_data["nature"],
                        details=form.cleaned_data["details"],
                    )
                    for form in forms
                ],
            )
        except DomainError as error:
            error_message = error.message
        else:
            messages.success(request, _("Your declarations are recorded."))
            return redirect("exams:event-detail", pk=event.pk)
    mine = [d for d in list_declarations_in(event) if d.declarant_id == request.user.pk]
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "exams/declarations.html",
        {"event": event, "forms": forms, "declarations": mine, "error_message": error_message},
        status=status,
    )


@require_POST
def event_release(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for(request, pk)
    require_perm(request, "exams.release_result", event)
    try:
        released = services.release_event_results(actor=actor_of(request), event=event)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(count)s results are released to the candidates.") % {"count": len(released)},
        )
    return redirect("exams:event-detail", pk=event.pk)


# Results ----------------------------------------------------------------------------------------------


def _entry_page(
    request: HttpRequest, entry: EventCandidate, status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    event = entry.event
    result = (
        ComponentResult.objects.filter(entry=entry)
        .select_related("first_marker", "second_marker", "reconciled_by", "released_by")
        .first()
    )
    block = services.marking_blocks(user, event, [entry]).get(entry.pk)
    may_mark = block is None and user.has_perm("exams.mark_result", event)
    may_see = user.has_perm("exams.view_result", event) and (
        may_mark or not user.has_perm("exams.mark_result", event)
    )
    manage = user.has_perm("exams.release_result", event)
    result_status = result.status if result is not None else None
    context: dict[str, Any] = {
        "entry": entry,
        "event": event,
        "result": result if may_see else None,
        "has_result": result is not None,
        "block": block if user.has_perm("exams.mark_result", event) else None,
        "accommodations": list(get_approved_accommodations(entry.application)),
        "attachments": list(result.attachments.select_related("uploaded_by"))
        if result and may_see
        else [],
        "mark_form": MarkForm(component=event.component)
        if may_mark
        and result is None
        and event.status == EventStatus.HELD
        and not hasattr(event, "exam_session")  # scored by the online session, not by hand
        else None,
        "second_form": SecondMarkForm()
        if may_mark
        and result_status == ResultStatus.AWAITING_SECOND_MARK
        and result is not None
        and result.first_marker_id != user.pk
        else None,
        "reconcile_form": ReconciliationForm()
        if may_mark and result_status == ResultStatus.AWAITING_RECONCILIATION
        else None,
        "request_form": ReasonForm()
        if result_status == ResultStatus.FINAL
        and (manage or (result is not None and result.first_marker_id == user.pk))
        else None,
        "may_release": manage and result_status == ResultStatus.FINAL,
        "attachment_form": AttachmentForm()
        if may_mark and result is not None and result_status != ResultStatus.RELEASED
        else None,
    }
    context.update(forms)
    return render(request, "exams/entry_result.html", context, status=status)


@require_http_methods(["GET", "POST"])
def entry_result(request: HttpRequest, pk: int) -> HttpResponse:
    """A candidate's result on an event: the first mark is recorded here."""
    entry = _entry_for(request, pk)
    if request.method == "GET":
        return _entry_page(request, entry)
    require_perm(request, "exams.mark_result", entry.event)
    form = MarkForm(request.POST, component=entry.event.component)
    if form.is_valid():
        try:
            services.record_first_mark(actor=actor_of(request), entry=entry, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The result is recorded."))
            return redirect("exams:entry-result", pk=entry.pk)
    return _entry_page(request, entry, status=422, mark_form=form)


@require_POST
def result_second_mark(request: HttpRequest, pk: int) -> HttpResponse:
    result = _result_for(request, pk)
    require_perm(request, "exams.mark_result", result.event)
    form = SecondMarkForm(request.POST)
    if form.is_valid():
        try:
            services.record_second_mark(actor=actor_of(request), result=result, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your second mark is recorded."))
            return redirect("exams:entry-result", pk=result.entry_id)
    return _entry_page(request, result.entry, status=422, second_form=form)


@require_POST
def result_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    result = _result_for(request, pk)
    require_perm(request, "exams.mark_result", result.event)
    form = ReconciliationForm(request.POST)
    if form.is_valid():
        try:
            services.reconcile_marks(actor=actor_of(request), result=result, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The agreed score is recorded."))
            return redirect("exams:entry-result", pk=result.entry_id)
    return _entry_page(request, result.entry, status=422, reconcile_form=form)


@require_POST
def result_request_second_mark(request: HttpRequest, pk: int) -> HttpResponse:
    result = _result_for(request, pk)
    require_perm(request, "exams.request_second_mark", result.event)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.request_second_mark(
                actor=actor_of(request), result=result, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("A second examiner will mark this result."))
            return redirect("exams:entry-result", pk=result.entry_id)
    return _entry_page(request, result.entry, status=422, request_form=form)


@require_POST
def result_release(request: HttpRequest, pk: int) -> HttpResponse:
    result = _result_for(request, pk)
    require_perm(request, "exams.release_result", result.event)
    try:
        services.release_result(actor=actor_of(request), result=result)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The result is released to the candidate."))
    return redirect("exams:entry-result", pk=result.entry_id)


@require_POST
def result_attach(request: HttpRequest, pk: int) -> HttpResponse:
    result = _result_for(request, pk)
    require_perm(request, "exams.mark_result", result.event)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(
                actor=actor_of(request),
                result=result,
                upload=form.cleaned_data["upload"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The file is attached."))
            return redirect("exams:entry-result", pk=result.entry_id)
    return _entry_page(request, result.entry, status=422, attachment_form=form)


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Served only to those who may see the result, never from the web root (7.3, 7.4)."""
    attachment = get_object_for(
        request.user,
        ResultAttachment.objects.select_related("result__event"),
        view_perm="exams.view_event",
        pk=pk,
    )
    event = attachment.result.event
    if not request.user.has_perm("exams.view_result", event):
        raise PermissionDenied
    blocks = services.marking_blocks(request.user, event, [attachment.result.entry])
    if request.user.has_perm("exams.mark_result", event) and blocks:
        raise PermissionDenied(_("You are withdrawn from this candidate."))
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# The candidate's portal -------------------------------------------------------------------------------


@login_required
def portal_assessments(request: HttpRequest) -> HttpResponse:
    """My assessments: bookings, and released results with the examiners' feedback."""
    person = get_person_of_user(request.user)
    entries = list(selectors.list_entries_of_person(person)) if person else []
    released = (
        {result.entry_id: result for result in selectors.list_released_results_of_person(person)}
        if person
        else {}
    )
    outcomes = []
    if person is not None:
        from peritus.applications.selectors import list_applications_of_person

        for application in list_applications_of_person(person):
            if any(entry.application_id == application.pk for entry in entries):
                outcomes.append((application, selectors.get_released_outcome(application)))
    rows = [{"entry": entry, "result": released.get(entry.pk)} for entry in entries]
    return render(request, "exams/portal_assessments.html", {"rows": rows, "outcomes": outcomes})
