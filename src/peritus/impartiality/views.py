"""Office pages: my declarations, the register of declarations with mitigations, trainer links,
and the impartiality risk register. Thin: parse, check access, call a service, show the result."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.requests import actor_of, require_perm
from peritus.core.access import get_object_for
from peritus.core.errors import DomainError
from peritus.impartiality import selectors, services
from peritus.impartiality.forms import (
    DeclarationFilterForm,
    MitigationDecisionForm,
    MitigationProposalForm,
    RiskForm,
    RiskReasonForm,
    RiskReviewForm,
    TrainingRecordForm,
)
from peritus.impartiality.models import ConflictDeclaration, ConflictMitigation, ImpartialityRisk

PAGE_SIZE = 50


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def my_declarations(request: HttpRequest) -> HttpResponse:
    require_perm(request, "impartiality.declare_interests")
    page = _page(request, selectors.list_declarations_of(request.user))
    return render(request, "impartiality/my_declarations.html", {"page": page})


def register(request: HttpRequest) -> HttpResponse:
    require_perm(request, "impartiality.view_register")
    form = DeclarationFilterForm(request.GET or None)
    show = nature = ""
    if form.is_valid():
        show, nature = form.cleaned_data["show"], form.cleaned_data["nature"]
    declarations = selectors.list_declarations(
        has_conflict={"yes": True, "no": False, "awaiting": True}.get(show),
        nature=nature,
        awaiting_mitigation=show == "awaiting",
    )
    return render(
        request,
        "impartiality/register.html",
        {"form": form, "page": _page(request, declarations)},
    )


def _declaration_for(request: HttpRequest, pk: int) -> ConflictDeclaration:
    return get_object_for(
        request.user,
        selectors.list_declarations(),
        view_perm="impartiality.view_declaration",
        pk=pk,
    )


def _declaration_page(
    request: HttpRequest,
    declaration: ConflictDeclaration,
    *,
    proposal_form: MitigationProposalForm | None = None,
    decision_form: MitigationDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    context = {
        "declaration": declaration,
        "may_propose": user.has_perm("impartiality.propose_mitigation", declaration),
        "may_decide": user.has_perm("impartiality.decide_mitigation", declaration),
        "proposal_form": proposal_form or MitigationProposalForm(),
        "decision_form": decision_form or MitigationDecisionForm(),
    }
    return render(request, "impartiality/declaration_detail.html", context, status=status)


def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _declaration_page(request, _declaration_for(request, pk))


@require_POST
def propose_mitigation(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration_for(request, pk)
    if not request.user.has_perm("impartiality.propose_mitigation", declaration):
        raise PermissionDenied
    form = MitigationProposalForm(request.POST)
    if form.is_valid():
        try:
            services.propose_mitigation(
                actor=actor_of(request),
                declaration=declaration,
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The measure is proposed; another person decides on it."))
            return redirect("impartiality:declaration-detail", pk=declaration.pk)
    return _declaration_page(request, declaration, proposal_form=form, status=422)


@require_POST
def decide_mitigation(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in {"approval", "rejection"}:
        raise Http404
    mitigation = get_object_for(
        request.user,
        ConflictMitigation.objects.select_related("declaration"),
        view_perm="impartiality.view_register",
        pk=pk,
    )
    declaration = _declaration_for(request, mitigation.declaration_id)
    if not request.user.has_perm("impartiality.decide_mitigation", declaration):
        raise PermissionDenied
    form = MitigationDecisionForm(request.POST)
    if form.is_valid():
        service = (
            services.approve_mitigation if decision == "approval" else services.reject_mitigation
        )
        try:
            service(
                actor=actor_of(request), mitigation=mitigation, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("The measure is approved.")
                if decision == "approval"
                else _("The measure is rejected."),
            )
            return redirect("impartiality:declaration-detail", pk=declaration.pk)
    return _declaration_page(request, declaration, decision_form=form, status=422)


@require_http_methods(["GET", "POST"])
def training_records(request: HttpRequest) -> HttpResponse:
    require_perm(request, "impartiality.view_training_records")
    may_record = request.user.has_perm("impartiality.record_training")
    form = TrainingRecordForm(request.POST or None) if may_record else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_training(
                    actor=actor_of(request),
                    trainer=data["trainer"],
                    person=data["person_email"],
                    course=data["course"],
                    provider=data["provider"],
                    started_on=data["started_on"],
                    ended_on=data["ended_on"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The training is recorded."))
                return redirect("impartiality:training-list")
    page = _page(request, selectors.list_training_records())
    status = 422 if form is not None and form.errors else 200
    return render(
        request, "impartiality/training_records.html", {"page": page, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
def risk_register(request: HttpRequest) -> HttpResponse:
    require_perm(request, "impartiality.view_risk_register")
    may_change = request.user.has_perm("impartiality.change_risk")
    form = RiskForm(request.POST or None) if may_change else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                risk = services.record_risk(actor=actor_of(request), **data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Risk %(ref)s is recorded.") % {"ref": risk.reference})
                return redirect("impartiality:risk-detail", pk=risk.pk)
    status = 422 if form is not None and form.errors else 200
    return render(
        request,
        "impartiality/risk_register.html",
        {
            "risks": selectors.list_risks(),
            "form": form,
            "due": selectors.list_risks_due_for_review(),
        },
        status=status,
    )


def _risk_for(request: HttpRequest, pk: int) -> ImpartialityRisk:
    return get_object_for(
        request.user,
        selectors.list_risks(),
        view_perm="impartiality.view_risk_register",
        pk=pk,
    )


def _risk_page(
    request: HttpRequest, risk: ImpartialityRisk, status: int = 200, **forms: Any
) -> HttpResponse:
    may_change = request.user.has_perm("impartiality.change_risk")
    context = {
        "risk": risk,
        "reviews": risk.reviews.select_related("reviewer"),
        "edit_form": RiskForm(instance=risk) if may_change else None,
        "reason_form": RiskReasonForm() if may_change else None,
        "review_form": RiskReviewForm()
        if request.user.has_perm("impartiality.review_risk")
        else None,
    }
    context.update(forms)
    return render(request, "impartiality/risk_detail.html", context, status=status)


def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _risk_page(request, _risk_for(request, pk))


@require_POST
def risk_update(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _risk_for(request, pk)
    require_perm(request, "impartiality.change_risk")
    form = RiskForm(request.POST, instance=ImpartialityRisk.objects.get(pk=risk.pk))
    if form.is_valid():
        try:
            services.update_risk(actor=actor_of(request), risk=risk, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The risk is updated."))
            return redirect("impartiality:risk-detail", pk=risk.pk)
    return _risk_page(request, risk, status=422, edit_form=form)


RISK_TRANSITIONS = {
    "controlled": services.mark_risk_controlled,
    "closure": services.close_risk,
    "reopening": services.reopen_risk,
}


@require_POST
def risk_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    service = RISK_TRANSITIONS.get(transition)
    if service is None:
        raise Http404
    risk = _risk_for(request, pk)
    require_perm(request, "impartiality.change_risk")
    form = RiskReasonForm(request.POST)
    if form.is_valid():
        try:
            service(actor=actor_of(request), risk=risk, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The risk status is changed."))
            return redirect("impartiality:risk-detail", pk=risk.pk)
    return _risk_page(request, risk, status=422, reason_form=form)


@require_POST
def risk_review(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _risk_for(request, pk)
    require_perm(request, "impartiality.review_risk")
    form = RiskReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_risk(actor=actor_of(request), risk=risk, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect("impartiality:risk-detail", pk=risk.pk)
    return _risk_page(request, risk, status=422, review_form=form)
