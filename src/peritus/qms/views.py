"""Office pages of the corrective and preventive action register. Thin: parse, check access,
call a service, show the result."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.requests import actor_of, require_perm
from peritus.core.access import get_object_for
from peritus.core.errors import DomainError
from peritus.qms import selectors, services
from peritus.qms.forms import (
    CancelForm,
    CloseForm,
    CompleteStepForm,
    EffectivenessForm,
    RaiseForm,
    RegisterFilterForm,
    RootCauseForm,
    StepForm,
)
from peritus.qms.models import ActionStatus, ActionStep, CorrectiveAction

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> tuple[RegisterFilterForm, dict[str, Any]]:
    form = RegisterFilterForm(request.GET or {"status": "open"})
    values: dict[str, Any] = {"status": "open"}
    if form.is_valid():
        data = form.cleaned_data
        values = {
            "status": data["status"],
            "source": data["source"],
            "kind": data["kind"],
            "overdue": data["overdue"],
            "query": data["q"],
        }
    return form, values


def _counts() -> list[tuple[str, str, int]]:
    by_status = selectors.count_by_status()
    return [(value, str(label), by_status.get(value, 0)) for value, label in ActionStatus.choices]


def register(request: HttpRequest) -> HttpResponse:
    require_perm(request, "qms.view_register")
    form, values = _filters(request)
    today = timezone.localdate()
    actions = selectors.list_corrective_actions(**values, on=today)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    for corrective_action in page:
        corrective_action.age = selectors.age_in_days(corrective_action, on=today)  # type: ignore[attr-defined]
        corrective_action.overdue = not corrective_action.is_finished and (  # type: ignore[attr-defined]
            corrective_action.due_on < today or corrective_action.has_overdue_step  # type: ignore[attr-defined]
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "qms/register.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": _counts(),
            "overdue_count": selectors.count_overdue_corrective_actions(on=today),
            "ageing": selectors.ageing_of_open_actions(on=today),
            "may_raise": request.user.has_perm("qms.raise_corrective_action"),
        },
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula is kept as text (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def register_csv(request: HttpRequest) -> HttpResponse:
    """The register as CSV for the evidence pack (10.2.7: CAPA register with ageing)."""
    require_perm(request, "qms.export_register")
    _form, values = _filters(request)
    today = timezone.localdate()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="corrective-actions-{today.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "reference", "kind", "source", "source_reference", "title", "owner", "raised_on",
            "due_on", "status", "steps", "steps_open", "implemented_on", "last_check",
            "closed_on", "age_days", "overdue",
        ]
    )  # fmt: skip
    actions = selectors.list_corrective_actions(**values, on=today).prefetch_related(
        "effectiveness_checks"
    )
    for corrective_action in actions:
        checks = list(corrective_action.effectiveness_checks.all())
        last = checks[-1] if checks else None
        writer.writerow(
            _cell(value)
            for value in [
                corrective_action.reference,
                corrective_action.kind,
                corrective_action.source,
                corrective_action.source_label,
                corrective_action.title,
                corrective_action.owner.email,
                timezone.localdate(corrective_action.raised_at).isoformat(),
                corrective_action.due_on.isoformat(),
                corrective_action.status,
                corrective_action.step_count,  # type: ignore[attr-defined]
                corrective_action.open_step_count,  # type: ignore[attr-defined]
                timezone.localdate(corrective_action.implemented_at).isoformat()
                if corrective_action.implemented_at
                else "",
                ("effective" if last.effective else "not_effective") if last else "",
                timezone.localdate(corrective_action.closed_at).isoformat()
                if corrective_action.closed_at
                else "",
                selectors.age_in_days(corrective_action, on=today),
                "yes"
                if not corrective_action.is_finished
                and (corrective_action.due_on < today or corrective_action.has_overdue_step)  # type: ignore[attr-defined]
                else "no",
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
def raise_action(request: HttpRequest) -> HttpResponse:
    require_perm(request, "qms.raise_corrective_action")
    form = RaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            corrective_action = services.raise_corrective_action(
                actor=actor_of(request), **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(reference)s is in the register.") % {"reference": corrective_action.reference},
            )
            return redirect("qms:corrective-action-detail", corrective_action.reference)
    status = 422 if form.errors else 200
    return render(request, "qms/raise.html", {"form": form}, status=status)


def _action_for(request: HttpRequest, reference: str) -> CorrectiveAction:
    return get_object_for(
        request.user,
        selectors.get_corrective_action_queryset(),
        view_perm="qms.view_corrective_action",
        reference=reference[:20],
    )


def _page(
    request: HttpRequest, corrective_action: CorrectiveAction, status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    steps = list(corrective_action.steps.all())
    for step in steps:
        step.overdue = step.completed_at is None and step.due_on < today  # type: ignore[attr-defined]
        step.may_complete = (  # type: ignore[attr-defined]
            step.completed_at is None
            and corrective_action.status == ActionStatus.IN_PROGRESS
            and (step.owner_id == user.pk or user.has_perm("qms.close_corrective_action"))
        )
    may_plan = user.has_perm("qms.plan_corrective_action", corrective_action)
    context: dict[str, Any] = {
        "action": corrective_action,
        "steps": steps,
        "checks": list(corrective_action.effectiveness_checks.all()),
        "age": selectors.age_in_days(corrective_action, on=today),
        "overdue": selectors.is_overdue(corrective_action, on=today),
        "root_cause_form": RootCauseForm(initial={"root_cause": corrective_action.root_cause})
        if may_plan and corrective_action.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
        else None,
        "step_form": StepForm()
        if may_plan
        and corrective_action.root_cause
        and corrective_action.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
        else None,
        "complete_form": CompleteStepForm(),
        "check_form": EffectivenessForm()
        if corrective_action.status == ActionStatus.IMPLEMENTED
        and user.has_perm("qms.check_effectiveness", corrective_action)
        else None,
        "implemented_it": corrective_action.status == ActionStatus.IMPLEMENTED
        and user.pk in selectors.implementer_ids(corrective_action),
        "close_form": CloseForm()
        if corrective_action.status == ActionStatus.VERIFIED
        and user.has_perm("qms.close_corrective_action")
        else None,
        "cancel_form": CancelForm()
        if corrective_action.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
        and user.has_perm("qms.close_corrective_action")
        else None,
    }
    context.update(forms)
    return render(request, "qms/detail.html", context, status=status)


def detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _page(request, _action_for(request, reference))


def _done(request: HttpRequest, corrective_action: CorrectiveAction, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("qms:corrective-action-detail", corrective_action.reference)


@require_POST
def root_cause(request: HttpRequest, reference: str) -> HttpResponse:
    corrective_action = _action_for(request, reference)
    require_perm(request, "qms.plan_corrective_action", corrective_action)
    form = RootCauseForm(request.POST)
    if form.is_valid():
        try:
            services.record_root_cause(
                actor=actor_of(request),
                corrective_action=corrective_action,
                root_cause=form.cleaned_data["root_cause"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, corrective_action, _("The root cause is recorded."))
    return _page(request, corrective_action, status=422, root_cause_form=form)


@require_POST
def add_step(request: HttpRequest, reference: str) -> HttpResponse:
    corrective_action = _action_for(request, reference)
    require_perm(request, "qms.plan_corrective_action", corrective_action)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.add_action_step(
                actor=actor_of(request), corrective_action=corrective_action, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, corrective_action, _("The action is planned."))
    return _page(request, corrective_action, status=422, step_form=form)


@require_POST
def complete_step(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    corrective_action = _action_for(request, reference)
    step = ActionStep.objects.filter(corrective_action=corrective_action, pk=pk).first()
    if step is None:
        raise Http404
    if step.owner_id != request.user.pk:
        require_perm(request, "qms.close_corrective_action")
    form = CompleteStepForm(request.POST)
    if form.is_valid():
        try:
            services.complete_action_step(
                actor=actor_of(request), step=step, note=form.cleaned_data["note"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, corrective_action, _("The action is recorded as done."))
    return _page(request, corrective_action, status=422, complete_form=form)


@require_POST
def check_effectiveness(request: HttpRequest, reference: str) -> HttpResponse:
    corrective_action = _action_for(request, reference)
    form = EffectivenessForm(request.POST)
    if form.is_valid():
        try:
            services.record_effectiveness_check(
                actor=actor_of(request),
                corrective_action=corrective_action,
                effective=form.cleaned_data["effective"],
                evidence=form.cleaned_data["evidence"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, corrective_action, _("The effectiveness check is recorded."))
    return _page(request, _action_for(request, reference), status=422, check_form=form)


@require_POST
def close(request: HttpRequest, reference: str) -> HttpResponse:
    corrective_action = _action_for(request, reference)
    require_perm(request, "qms.close_corrective_action")
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_corrective_action(
                actor=actor_of(request),
                corrective_action=corrective_action,
                summary=form.cleaned_data["summary"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, corrective_action, _("The corrective action is closed."))
    return _page(request, corrective_action, status=422, close_form=form)


@require_POST
def cancel(request: HttpRequest, reference: str) -> HttpResponse:
    corrective_action = _action_for(request, reference)
    require_perm(request, "qms.close_corrective_action")
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_corrective_action(
                actor=actor_of(request),
                corrective_action=corrective_action,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, corrective_action, _("The corrective action is cancelled."))
    return _page(request, corrective_action, status=422, cancel_form=form)


def my_steps(request: HttpRequest) -> HttpResponse:
    """The actions a member of the personnel owns and has not done yet."""
    steps = list(selectors.list_steps_of(request.user))
    if not steps and not request.user.has_perm("qms.view_register"):
        owned = selectors.list_corrective_actions(status="open", owner=request.user)
        if not owned.exists():
            raise PermissionDenied
    today = timezone.localdate()
    for step in steps:
        step.overdue = step.due_on < today  # type: ignore[attr-defined]
    return render(
        request,
        "qms/my_steps.html",
        {
            "steps": steps,
            "owned": selectors.list_corrective_actions(status="open", owner=request.user),
        },
    )
