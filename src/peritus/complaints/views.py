"""Pages of complaint handling: the public form (no account needed) and the office register.
Thin: parse, check access, call a service, show the result."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.models import User
from peritus.accounts.requests import actor_of, require_perm
from peritus.certification.models import Certificate, CertificateStatus
from peritus.complaints import selectors, services
from peritus.complaints.deadlines import form_rate
from peritus.complaints.errors import RateLimitedError
from peritus.complaints.forms import (
    AcceptForm,
    AcknowledgeForm,
    AssignForm,
    CloseForm,
    CorrectiveActionForm,
    DecideProposalForm,
    NoteForm,
    ProgressForm,
    ProposeSuspensionForm,
    PublicComplaintForm,
    RegisterFilterForm,
    RejectForm,
    ResolveForm,
    StaffComplaintForm,
    WithdrawForm,
    check_spam_protection,
    new_form_token,
)
from peritus.complaints.models import Complaint, ComplaintStatus, TriageCategory
from peritus.core.access import get_object_for
from peritus.core.errors import DomainError
from peritus.core.ratelimit import client_address, hit
from peritus.qms.selectors import list_corrective_actions_for

PAGE_SIZE = 50
RECEIVED_SESSION_KEY = "complaints_received_reference"


# Public ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def public_form(request: HttpRequest) -> HttpResponse:
    """Anyone complains here; nothing is stored when the spam protection refuses."""
    form = PublicComplaintForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if not hit("complaints-public-form", client_address(request), form_rate()):
                raise RateLimitedError(
                    "rate_limited",
                    _(
                        "Too many complaints were sent from your connection in a short time. "
                        "Wait an hour and send it again, or write to us by email or letter."
                    ),
                )
            check_spam_protection(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                complaint = services.submit_complaint(
                    name=data["name"], email=data["email"], phone=data["phone"],
                    organisation=data["organisation"], about=data["about"],
                    subject_description=data["subject_description"],
                    description=data["description"], desired_outcome=data["desired_outcome"],
                    occurred_on=data["occurred_on"],
                    user=actor_of(request) if request.user.is_authenticated else None,
                )  # fmt: skip
                request.session[RECEIVED_SESSION_KEY] = complaint.reference
                return redirect("complaints:public-received")
        except DomainError as error:
            form.add_error(None, error.message)
            status = error.http_status
        if form.errors and status == 200:
            status = 422
    return render(
        request,
        "complaints/public_form.html",
        {"form": form, "form_token": new_form_token()},
        status=status,
    )


def public_received(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(RECEIVED_SESSION_KEY)
    if not reference:
        return redirect("complaints:public-form")
    return render(request, "complaints/public_received.html", {"reference": reference})


@login_required
def portal_list(request: HttpRequest) -> HttpResponse:
    """A signed-in person's own complaints: status, what was written to them, the outcome."""
    return render(
        request,
        "complaints/portal_list.html",
        {"complaints": list(selectors.list_complaints_of(request.user))},
    )


# Office: register --------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[RegisterFilterForm, dict[str, Any]]:
    form = RegisterFilterForm(request.GET or {"status": "open"})
    values: dict[str, Any] = {"status": "open"}
    if form.is_valid():
        data = form.cleaned_data
        values = {
            "status": data["status"],
            "about": data["about"],
            "overdue": data["overdue"],
            "query": data["q"],
        }
    return form, values


def register(request: HttpRequest) -> HttpResponse:
    require_perm(request, "complaints.view_register")
    form, values = _filters(request)
    today = timezone.localdate()
    complaints = selectors.list_complaints(**values, exclude_subject=request.user, on=today)
    page = Paginator(complaints, PAGE_SIZE).get_page(request.GET.get("page"))
    for complaint in page:
        complaint.missed = selectors.overdue_deadlines(complaint, on=today)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/register.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "overdue_count": selectors.count_overdue_complaints(on=today),
            "awaiting_validation": selectors.count_awaiting_validation(),
            "may_record": request.user.has_perm("complaints.record_complaint"),
            "proposals": selectors.list_open_suspension_proposals().count()
            if request.user.has_perm("complaints.decide_suspension")
            else 0,
        },
    )


def register_csv(request: HttpRequest) -> HttpResponse:
    """The register as CSV for the evidence pack (9.9: register and triage records), without
    the complainants' contact details."""
    require_perm(request, "complaints.view_register")
    _form, values = _filters(request)
    today = timezone.localdate()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="complaints-{today.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "reference", "received_on", "channel", "about", "status", "acknowledged_on",
            "triage", "triaged_on", "handler", "outcome", "resolved_on", "closed_on",
            "resolution_due_on", "missed_deadlines",
        ]
    )  # fmt: skip

    def day(value: Any) -> str:
        return timezone.localdate(value).isoformat() if value is not None else ""

    complaints = selectors.list_complaints(**values, exclude_subject=request.user, on=today)
    for complaint in complaints:
        writer.writerow(
            [
                complaint.reference, day(complaint.received_at), complaint.channel,
                complaint.about, complaint.status, day(complaint.acknowledged_at),
                complaint.triage_category, day(complaint.triaged_at),
                complaint.handler.email if complaint.handler is not None else "",
                complaint.outcome, day(complaint.resolved_at), day(complaint.closed_at),
                complaint.resolution_due_on.isoformat(),
                " ".join(selectors.overdue_deadlines(complaint, on=today)),
            ]
        )  # fmt: skip
    return response


@require_http_methods(["GET", "POST"])
def record(request: HttpRequest) -> HttpResponse:
    """Staff record a complaint received by email, letter or phone."""
    require_perm(request, "complaints.record_complaint")
    form = StaffComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.record_complaint(
                actor=actor_of(request), channel=data["channel"], name=data["name"],
                email=data["email"] or "", phone=data["phone"], organisation=data["organisation"],
                about=data["about"], subject_description=data["subject_description"],
                description=data["description"], desired_outcome=data["desired_outcome"],
                occurred_on=data["occurred_on"], received_on=data["received_on"],
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("%(reference)s is recorded.") % {"reference": complaint.reference}
            )
            return redirect("complaints:complaint-detail", complaint.reference)
    status = 422 if form.errors else 200
    return render(request, "complaints/record.html", {"form": form}, status=status)


# Office: one complaint ---------------------------------------------------------------------------


def _complaint_for(request: HttpRequest, reference: str) -> Complaint:
    return get_object_for(
        request.user,
        selectors.get_complaint_queryset(),
        view_perm="complaints.view_complaint",
        reference=reference[:20],
    )


def _subject_certificates(complaint: Complaint) -> Any:
    if complaint.subject_person_id is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(
        holder_id=complaint.subject_person_id, status=CertificateStatus.VALID
    ).order_by("number")


def _page(
    request: HttpRequest, complaint: Complaint, status: int = 200, **forms_: Any
) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    may_triage = user.has_perm("complaints.triage_complaint", complaint)
    may_handle = user.has_perm("complaints.handle_complaint", complaint)
    is_handler = complaint.handler_id == user.pk
    declared = is_handler and complaint.handler_declared_at is not None
    received = complaint.status == ComplaintStatus.RECEIVED
    in_progress = complaint.status == ComplaintStatus.IN_PROGRESS
    open_ = complaint.is_open
    about_person = complaint.triage_category == TriageCategory.ABOUT_CERTIFIED_PERSON
    context: dict[str, Any] = {
        "complaint": complaint,
        "missed": selectors.overdue_deadlines(complaint, on=today),
        "notes": list(complaint.notes.all()) if may_handle or is_handler else [],
        "updates": list(complaint.updates.all()),
        "proposals": list(complaint.suspension_proposals.all()),
        "corrective_actions": list(list_corrective_actions_for(complaint)),
        "is_handler": is_handler,
        "acknowledge_form": AcknowledgeForm()
        if may_triage and open_ and complaint.acknowledged_at is None
        else None,
        "accept_form": AcceptForm() if may_triage and received else None,
        "reject_form": RejectForm() if may_triage and received else None,
        "assign_form": AssignForm() if may_triage and in_progress else None,
        "declare": is_handler and in_progress and not declared,
        "note_form": NoteForm()
        if (may_handle or is_handler) and not complaint.is_finished
        else None,
        "progress_form": ProgressForm() if (may_handle or is_handler) and open_ else None,
        "resolve_form": ResolveForm() if declared and in_progress else None,
        "close_form": CloseForm()
        if (may_handle or is_handler) and complaint.status == ComplaintStatus.RESOLVED
        else None,
        "withdraw_form": WithdrawForm() if may_triage and open_ else None,
        "propose_form": ProposeSuspensionForm(certificates=_subject_certificates(complaint))
        if declared and in_progress and about_person
        else None,
        "action_form": CorrectiveActionForm()
        if (may_handle or is_handler)
        and complaint.status in (ComplaintStatus.IN_PROGRESS, ComplaintStatus.RESOLVED)
        else None,
    }
    context.update(forms_)
    return render(request, "complaints/detail.html", context, status=status)


def detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _page(request, _complaint_for(request, reference))


def _act(
    request: HttpRequest,
    reference: str,
    *,
    perm: str | None,
    form_class: type[forms.Form],
    form_name: str,
    call: Callable[[User, Complaint, dict[str, Any]], object],
    done: str,
    form_kwargs: Callable[[Complaint], dict[str, Any]] | None = None,
) -> HttpResponse:
    complaint = _complaint_for(request, reference)
    if perm is not None:
        require_perm(request, perm, complaint)
    form = form_class(request.POST, **(form_kwargs(complaint) if form_kwargs else {}))
    if form.is_valid():
        try:
            call(actor_of(request), complaint, form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done)
            return redirect("complaints:complaint-detail", complaint.reference)
    return _page(request, _complaint_for(request, reference), status=422, **{form_name: form})


@require_POST
def acknowledge(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, perm="complaints.triage_complaint", form_class=AcknowledgeForm,
        form_name="acknowledge_form",
        call=lambda actor, complaint, data: services.acknowledge_complaint(
            actor=actor, complaint=complaint, note=data["note"]
        ),
        done=_("The acknowledgement is recorded."),
    )  # fmt: skip


@require_POST
def accept(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, perm="complaints.triage_complaint", form_class=AcceptForm,
        form_name="accept_form",
        call=lambda actor, complaint, data: services.accept_complaint(
            actor=actor, complaint=complaint, category=data["category"], reasons=data["reasons"],
            subject_certificate=data["certificate_number"], subject_staff=data["subject_staff"],
        ),
        done=_("The complaint is validated; assign a handler."),
    )  # fmt: skip


@require_POST
def reject(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, perm="complaints.triage_complaint", form_class=RejectForm,
        form_name="reject_form",
        call=lambda actor, complaint, data: services.reject_complaint(
            actor=actor, complaint=complaint, reasons=data["reasons"]
        ),
        done=_("The complaint is rejected; the complainant is told why."),
    )  # fmt: skip


@require_POST
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, perm="complaints.triage_complaint", form_class=AssignForm,
        form_name="assign_form",
        call=lambda actor, complaint, data: services.assign_handler(
            actor=actor, complaint=complaint, handler=data["handler"]
        ),
        done=_("The handler is assigned and told."),
    )  # fmt: skip


@require_POST
def declare(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _complaint_for(request, reference)
    try:
        services.declare_independence(actor=actor_of(request), complaint=complaint)
    except DomainError as error:
        messages.error(request, error.message)
        return _page(request, complaint, status=error.http_status)
    messages.success(request, _("Your declaration is recorded."))
    return redirect("complaints:complaint-detail", complaint.reference)


@require_POST
def add_note(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, perm="complaints.handle_complaint", form_class=NoteForm, form_name="note_form",
        call=lambda actor, complaint, data: services.add_note(
            actor=actor, complaint=complaint, body=data["body"]
        ),
        done=_("The note is added."),
    )  # fmt: skip


@require_POST
def report_progress(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, perm="complaints.handle_complaint", form_class=ProgressForm, form_name="progress_form",
        call=lambda actor, complaint, data: services.report_progress(
            actor=actor, complaint=complaint, message=data["message"]
        ),
        done=_("The complainant is told how the complaint progresses."),
    )  # fmt: skip


@require_POST
def resolve(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, perm="complaints.handle_complaint", form_class=ResolveForm, form_name="resolve_form",
        call=lambda actor, complaint, data: services.resolve_complaint(
            actor=actor, complaint=complaint, outcome=data["outcome"], findings=data["findings"],
            publicity=data["publicity"], publicity_agreement=data["publicity_agreement"],
        ),
        done=_("The outcome is given and sent to the complainant."),
    )  # fmt: skip


@require_POST
def close(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, perm="complaints.handle_complaint", form_class=CloseForm, form_name="close_form",
        call=lambda actor, complaint, data: services.close_complaint(
            actor=actor, complaint=complaint, note=data["note"]
        ),
        done=_("The complaint is closed; the closure notice is sent."),
    )  # fmt: skip


@require_POST
def withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, perm="complaints.triage_complaint", form_class=WithdrawForm,
        form_name="withdraw_form",
        call=lambda actor, complaint, data: services.withdraw_complaint(
            actor=actor, complaint=complaint, reason=data["reason"]
        ),
        done=_("The withdrawal is recorded."),
    )  # fmt: skip


@require_POST
def propose_suspension(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, perm="complaints.handle_complaint", form_class=ProposeSuspensionForm,
        form_name="propose_form",
        form_kwargs=lambda complaint: {"certificates": _subject_certificates(complaint)},
        call=lambda actor, complaint, data: services.propose_suspension(
            actor=actor, complaint=complaint, certificate=data["certificate"],
            reasons=data["reasons"], conditions=data["conditions"], deadline=data["deadline"],
        ),
        done=_("The suspension is proposed to the decision makers."),
    )  # fmt: skip


@require_POST
def raise_action(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, perm="complaints.handle_complaint", form_class=CorrectiveActionForm, form_name="action_form",
        call=lambda actor, complaint, data: services.raise_corrective_action(
            actor=actor, complaint=complaint, title=data["title"],
            description=data["description"], owner=data["owner"], due_on=data["due_on"],
        ),
        done=_("The corrective action is in the register."),
    )  # fmt: skip


# Office: suspension proposals --------------------------------------------------------------------


def proposals(request: HttpRequest, form: DecideProposalForm | None = None) -> HttpResponse:
    require_perm(request, "complaints.decide_suspension")
    items = list(selectors.list_open_suspension_proposals())
    return render(
        request,
        "complaints/proposals.html",
        {"proposals": items, "form": form or DecideProposalForm()},
        status=422 if form is not None else 200,
    )


@require_POST
def decide_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "complaints.decide_suspension")
    proposal = selectors.list_open_suspension_proposals().filter(pk=pk).first()
    if proposal is None:
        raise Http404
    form = DecideProposalForm(request.POST)
    if form.is_valid():
        try:
            services.decide_suspension_proposal(
                actor=actor_of(request),
                proposal=proposal,
                suspend=form.cleaned_data["decision"] == "suspend",
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("complaints:proposal-list")
    return proposals(request, form=form)
