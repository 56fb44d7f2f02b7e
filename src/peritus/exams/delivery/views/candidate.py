"""The candidate's pages: book a seat, check in, sit the exam, hand in, read the result.

Thin: fetch the candidate's own attempt (404 for anyone else's), call a service, show the outcome.
Every page works without JavaScript: each question is a normal form with "save and next"; the
script (`exams/delivery.js`) adds autosave with retries and a countdown of the server's clock.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peritus.accounts.models import User
from peritus.core.errors import DomainError
from peritus.exams.delivery import autosave, conf, gate, invigilation, selectors, sessions
from peritus.exams.delivery.form_content import delivered_form
from peritus.exams.delivery.forms import CheckInForm
from peritus.exams.delivery.presentation import navigation, question_view
from peritus.exams.delivery.timing import attempt_clock
from peritus.exams.delivery.tokens import answer_token, candidate_of
from peritus.exams.models import (
    AnswerChannel,
    Attempt,
    AttemptStatus,
    ExamSession,
    SessionStatus,
)
from peritus.itembank.models import MediaFile

NAVIGATION = {"previous", "next", "review", "stay"}


def _attempt(request: HttpRequest, reference: str) -> Attempt:
    """The candidate's own attempt; once its server deadline has passed, closed there and then
    (the tick job does the same for candidates whose browser is gone)."""
    try:
        attempt = selectors.get_attempt_of_candidate(request.user, reference)
    except Attempt.DoesNotExist:
        raise Http404 from None
    now = timezone.now()
    past_deadline = (
        attempt.status in (AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED)
        and attempt.deadline_at is not None
        and attempt.deadline_at + conf.deadline_grace() <= now
    )
    if past_deadline and invigilation.close_if_expired(attempt_id=attempt.pk, now=now):
        attempt = selectors.get_attempt_of_candidate(request.user, reference)
    return attempt


def _remaining_seconds(attempt: Attempt) -> int | None:
    if attempt.started_at is None:
        return None
    state = attempt_clock(attempt, now=timezone.now())
    return int(state.remaining.total_seconds())


def _media_url(attempt: Attempt) -> Any:
    def url(path: str) -> str:
        return reverse("exams:attempt-media", args=[attempt.reference]) + "?path=" + quote(path)

    return url


@login_required
def portal_exams(request: HttpRequest) -> HttpResponse:
    """My online exams: my seats, and the sessions I may book."""
    return render(
        request,
        "exams/delivery/portal_exams.html",
        {
            "attempts": list(selectors.list_attempts_of_user(request.user)),
            "bookable": selectors.list_bookable_sessions_for(request.user, now=timezone.now()),
        },
    )


@login_required
@require_POST
def book(request: HttpRequest, pk: int) -> HttpResponse:
    seats = selectors.list_bookable_sessions_for(request.user, now=timezone.now())
    seat = next((s for s in seats if s.session.pk == pk), None)
    if seat is None:
        raise Http404
    try:
        attempt = sessions.book_seat(
            actor=request.user,  # type: ignore[arg-type]
            session=seat.session,
            application=seat.application,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("exams:portal-exams")
    messages.success(request, _("Your seat is booked. A confirmation is on its way by email."))
    return redirect("exams:attempt", reference=attempt.reference)


@login_required
@require_http_methods(["GET", "POST"])
def attempt_page(request: HttpRequest, reference: str) -> HttpResponse:
    """The lobby: check in, wait for the invigilator, start; paused; closed; released."""
    attempt = _attempt(request, reference)
    now = timezone.now()
    state = attempt_clock(attempt, now=now) if attempt.started_at else None
    sitting = attempt.status == AttemptStatus.IN_PROGRESS and not (state and state.expired)
    if sitting and request.method == "GET":
        return redirect("exams:attempt-question", reference, attempt.current_position)
    form = CheckInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                gate.check_in(
                    actor=request.user,  # type: ignore[arg-type]
                    attempt=attempt,
                    accept_rules=form.cleaned_data["accept_rules"],
                    accept_nda=form.cleaned_data["accept_nda"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("You are checked in."))
                return redirect("exams:attempt", reference)
        status = 422
    session = attempt.session
    result = (
        getattr(attempt.entry, "result", None) if attempt.status == AttemptStatus.RELEASED else None
    )
    return render(
        request,
        "exams/delivery/attempt.html",
        {
            "attempt": attempt,
            "session": session,
            "event": session.event,
            "form": form,
            "clock": state,
            "check_in_opens": session.event.starts_at - conf.check_in_opens_before(),
            "may_check_in": attempt.status == AttemptStatus.BOOKED
            and session.status == SessionStatus.SCHEDULED
            and now >= session.event.starts_at - conf.check_in_opens_before(),
            "result": result,
            "waiting": attempt.status in (AttemptStatus.CHECKED_IN, AttemptStatus.PAUSED),
        },
        status=status,
    )


@login_required
@require_POST
def start(request: HttpRequest, reference: str) -> HttpResponse:
    attempt = _attempt(request, reference)
    try:
        attempt = gate.start_attempt(actor=request.user, attempt=attempt)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("exams:attempt", reference)
    return redirect("exams:attempt-question", reference, attempt.current_position)


def _question_page(
    request: HttpRequest, attempt: Attempt, position: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    form = delivered_form(attempt.session.form)
    answers = selectors.answers_of(attempt)
    view = question_view(attempt, form, answers, position, media_url=_media_url(attempt))
    return render(
        request,
        "exams/delivery/question.html",
        {
            "attempt": attempt,
            "q": view,
            "nav": navigation(attempt, form, answers, position),
            "remaining": _remaining_seconds(attempt),
            "deadline": attempt.deadline_at,
            "save_key": uuid.uuid4().hex,
            "save_token": answer_token(
                reference=attempt.reference, candidate_id=attempt.candidate_id
            ),
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, reference: str, position: int) -> HttpResponse:
    """One question. POST is the no-JavaScript save: the same service as the autosave."""
    attempt = _attempt(request, reference)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect("exams:attempt", reference)
    if not 1 <= position <= attempt.item_count:
        raise Http404
    if request.method == "GET":
        autosave.record_position(actor=request.user, attempt=attempt, position=position)
        return _question_page(request, attempt, position)
    go = request.POST.get("go", "next")
    try:
        autosave.save_answer(
            actor=request.user,
            reference=reference,
            position=position,
            fields=dict(request.POST.lists()),
            idempotency_key=request.POST.get("key", ""),
            flagged=bool(request.POST.get("flagged")),
            channel=AnswerChannel.FORM,
        )
    except DomainError as error:
        if error.http_status == 422:
            return _question_page(request, attempt, position, error=error.message, status=422)
        messages.error(request, error.message)
        return redirect("exams:attempt", reference)
    if go == "review" or (go == "next" and position == attempt.item_count):
        return redirect("exams:attempt-review", reference)
    target = position - 1 if go == "previous" else position + 1 if go == "next" else position
    if go.startswith("to:") and go[3:].isdigit():
        target = int(go[3:])
    return redirect("exams:attempt-question", reference, min(max(target, 1), attempt.item_count))


@require_POST
def save(request: HttpRequest, reference: str) -> JsonResponse:
    """The autosave endpoint: JSON in answer to a form-encoded post; retried by the page.

    Authenticated by the answer token of the question page (`tokens.py`), not by the session:
    the hottest request of delivery reads neither the session nor the user.
    """
    candidate_id = candidate_of(request.headers.get("X-Exam-Token", ""), reference=reference)
    if candidate_id is None:
        return JsonResponse(
            {"code": "invalid_token", "message": _("Open the exam page again.")}, status=403
        )
    try:
        position = int(request.POST.get("position", ""))
    except ValueError:
        return JsonResponse({"code": "unknown_position", "message": _("No question.")}, status=422)
    try:
        receipt = autosave.save_answer(
            actor=User(pk=candidate_id),
            reference=reference,
            position=position,
            fields=dict(request.POST.lists()),
            idempotency_key=request.POST.get("key", ""),
            flagged=bool(request.POST.get("flagged")),
            channel=AnswerChannel.AUTOSAVE,
        )
    except DomainError as error:
        return JsonResponse(error.as_dict(), status=error.http_status)
    remaining = (
        max(int((receipt.deadline - timezone.now()).total_seconds()), 0)
        if receipt.deadline is not None
        else None
    )
    return JsonResponse(
        {"saved": True, "duplicate": receipt.duplicate, "remaining_seconds": remaining}
    )


@login_required
@require_GET
def clock_status(request: HttpRequest, reference: str) -> JsonResponse:
    """The server's clock, for the page's countdown to follow (the server's value wins)."""
    attempt = _attempt(request, reference)  # closes the attempt once its deadline has passed
    state = attempt_clock(attempt, now=timezone.now()) if attempt.started_at else None
    return JsonResponse(
        {
            "status": attempt.status,
            "remaining_seconds": int(state.remaining.total_seconds()) if state else None,
            "paused": bool(state and state.paused),
            "on_break": bool(state and state.on_break),
            "running": bool(state and state.running),
            "released": attempt.start_released_at is not None,
            "lobby": reverse("exams:attempt", args=[reference]),
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
@require_GET
def review(request: HttpRequest, reference: str) -> HttpResponse:
    attempt = _attempt(request, reference)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect("exams:attempt", reference)
    form = delivered_form(attempt.session.form)
    nav = navigation(attempt, form, selectors.answers_of(attempt))
    return render(
        request,
        "exams/delivery/review.html",
        {
            "attempt": attempt,
            "nav": nav,
            "unanswered": sum(1 for entry in nav if not entry.answered),
            "flagged": sum(1 for entry in nav if entry.flagged),
            "remaining": _remaining_seconds(attempt),
            "deadline": attempt.deadline_at,
        },
    )


@login_required
@require_POST
def submit(request: HttpRequest, reference: str) -> HttpResponse:
    attempt = _attempt(request, reference)
    try:
        autosave.submit_attempt(actor=request.user, attempt=attempt)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your exam is handed in. Thank you."))
    return redirect("exams:attempt", reference)


@login_required
@require_POST
def rest_break(request: HttpRequest, reference: str) -> HttpResponse:
    attempt = _attempt(request, reference)
    try:
        if request.POST.get("action") == "end":
            attempt = invigilation.end_break(actor=request.user, attempt=attempt)  # type: ignore[arg-type]
            return redirect("exams:attempt-question", reference, attempt.current_position)
        invigilation.start_break(actor=request.user, attempt=attempt)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("exams:attempt", reference)


@login_required
@require_GET
def media(request: HttpRequest, reference: str) -> HttpResponseBase:
    """A figure of an item on the candidate's form, while they sit it."""
    attempt = _attempt(request, reference)
    if attempt.status not in (AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED):
        raise Http404
    session: ExamSession = attempt.session
    form = delivered_form(session.form)
    path = request.GET.get("path", "")
    if not path or not any(
        path in item.content.stem or path in item.stimulus_body
        or any(path in option.text for option in item.content.options)
        for item in form.items
    ):  # fmt: skip
        raise Http404
    row = MediaFile.objects.filter(bank_id=form.bank_id, path=path).first()
    if row is None or not default_storage.exists(row.storage_name):
        raise Http404
    response = FileResponse(
        default_storage.open(row.storage_name, "rb"), content_type=row.content_type
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
