"""Appeal pages: the office register, an appeal's case page with its steps, the record form for
appeals received by email or letter, and the candidate's "my appeals" pages.

Thin: fetch through an access check, call a service, show the refusal or the result. The case
page shows why the viewer may not hear the appeal (the same reads the service uses), but the
service is what blocks (R22).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.models import User
from peritus.accounts.requests import actor_of
from peritus.accounts.selectors import get_person_of_user
from peritus.appeals import deadlines, selectors, services
from peritus.appeals.errors import AppealsInputError
from peritus.appeals.forms import (
    CorrectiveActionForm,
    DecideForm,
    DeclareForm,
    InvestigationNoteForm,
    LinkDecisionForm,
    LodgeForm,
    MemberForm,
    MessageForm,
    NewDecisionForm,
    NoteForm,
    OtherActionForm,
    ReasonsForm,
    RecordForm,
    RegisterFilterForm,
    RequiredNoteForm,
    WithdrawForm,
)
from peritus.appeals.independence import panel_obstacles
from peritus.appeals.models import Appeal, AppealAction, AppealActionKind, AppealStatus
from peritus.appeals.services.decisions import UPHELD_OUTCOMES
from peritus.appeals.subjects import list_appealable_records
from peritus.certification.models import CertificationDecision
from peritus.core.access import get_object_for
from peritus.core.errors import DomainError

PAGE_SIZE = 50


def _appeal_for(request: HttpRequest, reference: str) -> Appeal:
    return get_object_for(
        request.user,
        selectors.get_appeal_queryset(),
        view_perm="appeals.view_appeal",
        reference=reference,
    )


# Office ------------------------------------------------------------------------------------------


def appeal_list(request: HttpRequest) -> HttpResponse:
    """The register of all appeals, with outcomes, deadlines and durations."""
    if not request.user.has_perm("appeals.list_appeals"):
        raise PermissionDenied
    form = RegisterFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "status": form.cleaned_data["status"],
            "subject_kind": form.cleaned_data["subject_kind"],
            "overdue": form.cleaned_data["overdue"],
            "query": form.cleaned_data["q"],
        }
    today = timezone.localdate()
    page = Paginator(selectors.list_appeals(**filters, on=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        (
            appeal,
            selectors.lateness(appeal, on=today),
            selectors.duration_days(appeal, on=today),
        )
        for appeal in page
    ]
    return render(
        request,
        "appeals/appeal_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "open_count": selectors.count_open(),
            "overdue_count": selectors.count_overdue(on=today),
            "statistics": selectors.register_statistics(),
            "may_record": request.user.has_perm("appeals.record_appeal"),
        },
    )


@require_http_methods(["GET", "POST"])
def appeal_record(request: HttpRequest) -> HttpResponse:
    """Staff record an appeal received by email or letter."""
    if not request.user.has_perm("appeals.record_appeal"):
        raise PermissionDenied
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        initial={"received_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            person = selectors.find_person_by_email(data["appellant_email"])
            if person is None:
                form.add_error("appellant_email", _("No person has this email address."))
            else:
                received_on: dt.date = data["received_on"]
                received_at = (
                    timezone.now()
                    if received_on == timezone.localdate()
                    else timezone.make_aware(dt.datetime.combine(received_on, dt.time(12)))
                )
                try:
                    appeal = services.record_appeal(
                        actor=actor_of(request),
                        appellant=person,
                        subject_kind=data["subject_kind"],
                        subject_key=data["subject_key"],
                        grounds=data["grounds"],
                        remedy_sought=data["remedy_sought"],
                        channel=data["channel"],
                        received_at=received_at,
                    )
                except DomainError as error:
                    form.add_error(None, error.message)
                    status = error.http_status
                else:
                    messages.success(
                        request,
                        _("Appeal %(reference)s is recorded.") % {"reference": appeal.reference},
                    )
                    return redirect("appeals:appeal-detail", reference=appeal.reference)
    return render(request, "appeals/appeal_record.html", {"form": form}, status=status)


def _step_form(step: str, appeal: Appeal, data: Any = None) -> forms.Form:
    """The form of one step of the case, bound to `data` when given."""
    match step:
        case "acknowledge":
            return RequiredNoteForm(data, prefix=step)
        case "admit" | "close":
            return NoteForm(data, prefix=step)
        case "reject":
            return ReasonsForm(data, prefix=step)
        case "assign":
            return MemberForm(data, prefix=step, members=selectors.list_panel_candidates())
        case "declare":
            return DeclareForm(data, prefix=step)
        case "note":
            return InvestigationNoteForm(data, prefix=step)
        case "update":
            return MessageForm(data, prefix=step)
        case "decide":
            return DecideForm(data, prefix=step)
        case "new_decision":
            return NewDecisionForm(
                data, prefix=step, decision_makers=selectors.list_decision_makers(appeal)
            )
        case "corrective":
            return CorrectiveActionForm(data, prefix=step, owners=selectors.list_action_owners())
        case "other_action":
            return OtherActionForm(data, prefix=step)
        case "withdraw":
            return WithdrawForm(data, prefix=step)
    raise Http404


STEP_NAMES = (
    "acknowledge", "admit", "reject", "assign", "declare", "note", "update", "decide",
    "new_decision", "corrective", "other_action", "close", "withdraw",
)  # fmt: skip


def _step_forms(appeal: Appeal) -> dict[str, forms.Form]:
    return {step: _step_form(step, appeal) for step in STEP_NAMES}


def _detail_page(
    request: HttpRequest,
    appeal: Appeal,
    *,
    status: int = 200,
    bound: tuple[str, forms.Form] | None = None,
    error: str = "",
) -> HttpResponse:
    today = timezone.localdate()
    step_forms = _step_forms(appeal)
    if bound is not None:
        step_forms[bound[0]] = bound[1]
    membership = next(
        (m for m in selectors.list_panel(appeal) if m.member_id == request.user.pk), None
    )
    context: dict[str, Any] = {
        "appeal": appeal,
        "lateness": selectors.lateness(appeal, on=today),
        "duration": selectors.duration_days(appeal, on=today),
        "panel": selectors.list_panel(appeal),
        "membership": membership,
        "obstacles": panel_obstacles(request.user, appeal),
        "may_handle": request.user.has_perm("appeals.handle_appeal", appeal),
        "forms": step_forms,
        "error": error,
        "error_step": bound[0] if bound is not None else "",
        "decided": appeal.status == AppealStatus.DECIDED,
        "upheld": appeal.outcome in UPHELD_OUTCOMES,
        "new_decision_kind": AppealActionKind.NEW_DECISION,
        "link_form": LinkDecisionForm(),
        "done_form": RequiredNoteForm(prefix="done"),
    }
    return render(request, "appeals/appeal_detail.html", context, status=status)


def appeal_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail_page(request, _appeal_for(request, reference))


type Step = Callable[[User, Appeal, dict[str, Any]], object]


def _decision_by_reference(reference: str) -> CertificationDecision:
    decision = CertificationDecision.objects.filter(reference=reference.strip().upper()).first()
    if decision is None:
        raise Http404
    return decision


STEPS: dict[str, tuple[Step, Any]] = {
    "acknowledge": (
        lambda actor, appeal, data: services.record_acknowledgement(
            actor=actor, appeal=appeal, note=data["note"]
        ),
        _lazy("The acknowledgement is recorded."),
    ),
    "admit": (
        lambda actor, appeal, data: services.admit_appeal(
            actor=actor, appeal=appeal, note=data["note"]
        ),
        _lazy("The appeal is admitted and goes to a panel."),
    ),
    "reject": (
        lambda actor, appeal, data: services.reject_appeal(
            actor=actor, appeal=appeal, reasons=data["reasons"]
        ),
        _lazy("The appeal is found not admissible; the appellant is told why."),
    ),
    "assign": (
        lambda actor, appeal, data: services.assign_panel_member(
            actor=actor,
            appeal=appeal,
            member=data["member"],
            declare_no_conflict=False,
        ),
        _lazy("The member is on the panel and is asked to declare their interests."),
    ),
    "declare": (
        lambda actor, appeal, data: services.declare_panel_interests(
            actor=actor,
            appeal=appeal,
            has_conflict=data["has_conflict"],
            nature=data["nature"] if data["has_conflict"] else "",
            details=data["details"],
        ),
        _lazy("Your declaration is recorded."),
    ),
    "note": (
        lambda actor, appeal, data: services.add_appeal_note(
            actor=actor, appeal=appeal, body=data["body"]
        ),
        _lazy("The note is added."),
    ),
    "update": (
        lambda actor, appeal, data: services.send_appeal_update(
            actor=actor, appeal=appeal, message=data["message"]
        ),
        _lazy("The message is sent to the appellant."),
    ),
    "decide": (
        lambda actor, appeal, data: services.decide_appeal(
            actor=actor, appeal=appeal, outcome=data["outcome"], reasons=data["reasons"]
        ),
        _lazy("The decision is recorded and written to the appellant."),
    ),
    "new_decision": (
        lambda actor, appeal, data: services.request_new_decision(
            actor=actor,
            appeal=appeal,
            decision_maker=data["decision_maker"],
            description=data["description"],
            due_on=data["due_on"],
        ),
        _lazy("The new decision is requested from the decision maker."),
    ),
    "corrective": (
        lambda actor, appeal, data: services.raise_corrective_action_from_appeal(
            actor=actor,
            appeal=appeal,
            title=data["title"],
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
        ),
        _lazy("The corrective action is entered in the CAPA register."),
    ),
    "other_action": (
        lambda actor, appeal, data: services.add_appeal_action(
            actor=actor,
            appeal=appeal,
            kind=data["kind"],
            description=data["description"],
            due_on=data["due_on"],
        ),
        _lazy("The action is recorded."),
    ),
    "close": (
        lambda actor, appeal, data: services.close_appeal(
            actor=actor, appeal=appeal, note=data["note"]
        ),
        _lazy("The appeal is closed."),
    ),
    "withdraw": (
        lambda actor, appeal, data: services.withdraw_appeal(
            actor=actor, appeal=appeal, reason=data["reason"]
        ),
        _lazy("The withdrawal is recorded."),
    ),
}


@require_POST
def appeal_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    """One step of the case (validate, panel, notes, decision, actions, closure)."""
    appeal = _appeal_for(request, reference)
    if step not in STEPS:
        raise Http404
    if not request.user.has_perm("appeals.handle_appeal", appeal):
        raise PermissionDenied
    form = _step_form(step, appeal, request.POST)
    if not form.is_valid():
        return _detail_page(request, appeal, status=422, bound=(step, form))
    run, done = STEPS[step]
    try:
        run(actor_of(request), appeal, form.cleaned_data)
    except DomainError as error:
        form.add_error(None, error.message)
        return _detail_page(
            request, appeal, status=error.http_status, bound=(step, form), error=error.message
        )
    messages.success(request, done)
    return redirect("appeals:appeal-detail", reference=appeal.reference)


def _action_for(request: HttpRequest, reference: str, action_id: int) -> AppealAction:
    appeal = _appeal_for(request, reference)
    action = AppealAction.objects.filter(appeal=appeal, pk=action_id).first()
    if action is None:
        raise Http404
    return action


@require_POST
def action_done(request: HttpRequest, reference: str, action_id: int) -> HttpResponse:
    """The person assigned (or the panel, the quality manager) records an action done."""
    action = _action_for(request, reference, action_id)
    form = RequiredNoteForm(request.POST, prefix="done")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if action.kind == AppealActionKind.NEW_DECISION and not request.POST.get("reinstate"):
            link = LinkDecisionForm(request.POST)
            if not link.is_valid():
                raise AppealsInputError(
                    "decision_required", _("Give the reference of the new decision.")
                )
            services.link_new_decision(
                actor=actor_of(request),
                action=action,
                decision=_decision_by_reference(link.cleaned_data["decision_reference"]),
            )
        elif action.kind == AppealActionKind.NEW_DECISION:
            services.reinstate_after_appeal(actor=actor_of(request), action=action, rationale=note)
        else:
            services.complete_appeal_action(actor=actor_of(request), action=action, note=note)
    except DomainError as error:
        return _detail_page(request, action.appeal, status=error.http_status, error=error.message)
    messages.success(request, _("The action is done."))
    return redirect("appeals:appeal-detail", reference=action.appeal.reference)


# Portal ------------------------------------------------------------------------------------------


def _own_appeal(request: HttpRequest, reference: str) -> Appeal:
    """The signed-in person's appeal; 404 for anyone else's (its existence never leaks)."""
    appeal = selectors.get_appeal_of_person(get_person_of_user(request.user), reference)
    if appeal is None:
        raise Http404
    return appeal


@login_required
def portal_appeals(request: HttpRequest) -> HttpResponse:
    person = get_person_of_user(request.user)
    appeals = list(selectors.list_appeals_of_person(person)) if person is not None else []
    return render(
        request,
        "appeals/portal_appeals.html",
        {"appeals": appeals, "may_appeal": bool(list_appealable_records(person))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def portal_appeal_new(request: HttpRequest) -> HttpResponse:
    person = get_person_of_user(request.user)
    records = list_appealable_records(person)
    choices = [(record.choice, record.label) for record in records]
    choices.append(("other:", _("Another decision of the body (describe it in the grounds)")))
    initial = {"record": request.GET.get("record", "")}
    form = LodgeForm(
        request.POST if request.method == "POST" else None, choices=choices, initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            kind, _sep, key = form.cleaned_data["record"].partition(":")
            try:
                appeal = services.lodge_appeal(
                    actor=actor_of(request),
                    subject_kind=kind,
                    subject_key=key,
                    grounds=form.cleaned_data["grounds"],
                    remedy_sought=form.cleaned_data["remedy_sought"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.http_status
            else:
                messages.success(
                    request,
                    _("Your appeal %(reference)s is received.") % {"reference": appeal.reference},
                )
                return redirect("appeals:portal-appeal-detail", reference=appeal.reference)
    return render(
        request,
        "appeals/portal_appeal_new.html",
        {"form": form, "window_days": deadlines.appeal_window_days()},
        status=status,
    )


@login_required
def portal_appeal_detail(request: HttpRequest, reference: str) -> HttpResponse:
    appeal = _own_appeal(request, reference)
    return render(
        request,
        "appeals/portal_appeal_detail.html",
        {
            "appeal": appeal,
            "updates": list(appeal.updates.all()),
            "withdraw_form": WithdrawForm(prefix="withdraw"),
        },
    )


@login_required
@require_POST
def portal_appeal_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    appeal = _own_appeal(request, reference)
    form = WithdrawForm(request.POST, prefix="withdraw")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.withdraw_appeal(actor=actor_of(request), appeal=appeal, reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your appeal is withdrawn."))
    return redirect("appeals:portal-appeal-detail", reference=appeal.reference)
