"""The office: the queue with filters, counts and age; the review screen that sets each
prerequisite beside its evidence; decisions on accommodation requests."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peritus.accounts.requests import actor_of, require_perm
from peritus.applications import selectors, services
from peritus.applications.forms import (
    AccommodationDecisionForm,
    EligibilityDecisionForm,
    InformationRequestForm,
    QueueFilterForm,
    ReleaseForm,
    StartReviewForm,
)
from peritus.applications.models import (
    Accommodation,
    Application,
    ApplicationStatus,
    EligibilityOutcome,
)
from peritus.applications.views.common import application_for
from peritus.core.errors import DomainError

PAGE_SIZE = 50


def queue(request: HttpRequest) -> HttpResponse:
    require_perm(request, "applications.view_application_queue")
    scheme_ids = selectors.visible_scheme_ids(request.user)
    form = QueueFilterForm(request.GET or None)
    filters: dict[str, object] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "status": data["status"],
            "scheme_id": data["scheme"].pk if data["scheme"] else None,
            "assigned_to": request.user.pk if data["assigned"] == "me" else None,
            "unassigned": data["assigned"] == "none",
            "search": data["q"],
        }
    applications = selectors.list_queue(scheme_ids=scheme_ids, **filters)  # type: ignore[arg-type]
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/office/queue.html",
        {
            "form": form,
            "page": page,
            "counts": [
                (status, ApplicationStatus(status).label, count)
                for status, count in selectors.count_by_status(scheme_ids=scheme_ids).items()
            ],
            "query": query.urlencode(),
            "may_see_accommodations": request.user.has_perm("applications.view_accommodations"),
        },
    )


def _decision_form(application: Application, data: object = None) -> EligibilityDecisionForm:
    return EligibilityDecisionForm(
        data,
        prerequisites=selectors.list_applicable_prerequisites(application),
        evidence=list(selectors.list_evidence(application, include_restricted=False)),
    )


def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    require_perm(request, "applications.view_application_queue")
    application = application_for(request, reference)
    return _render_detail(request, application)


def _render_detail(
    request: HttpRequest,
    application: Application,
    *,
    decision_form: EligibilityDecisionForm | None = None,
    request_form: InformationRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    may_see_accommodations = user.has_perm("applications.view_accommodations", application)
    return render(
        request,
        "applications/office/detail.html",
        {
            "application": application,
            "version": application.scheme_version,
            "evidence": selectors.list_evidence(application, include_restricted=False),
            "decision_form": decision_form or _decision_form(application),
            "request_form": request_form or InformationRequestForm(),
            "start_form": StartReviewForm(),
            "accommodation_form": AccommodationDecisionForm(),
            "reviews": selectors.list_reviews(application),
            "requests": application.information_requests.all(),
            "accommodations": application.accommodations.prefetch_related(
                "supporting_documents"
            ).select_related("decided_by")
            if may_see_accommodations
            else None,
            "may_start_review": user.has_perm("applications.start_review", application),
            "may_decide": user.has_perm("applications.decide_eligibility", application),
            "may_request_information": user.has_perm(
                "applications.request_information", application
            ),
            "may_release": user.has_perm("applications.release_review", application),
            "release_form": ReleaseForm(),
            "may_decide_accommodation": user.has_perm(
                "applications.decide_accommodation",
                application.accommodations.filter(status="requested").first(),
            ),
        },
        status=status,
    )


@require_POST
def start_review(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.start_review")
    form = StartReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Declare whether you have an interest in this applicant."))
        return redirect("applications:office-application-detail", reference)
    try:
        result = services.start_review(
            actor=actor_of(request), application=application,
            has_conflict=form.cleaned_data["has_conflict"], nature=form.cleaned_data["nature"],
            details=form.cleaned_data["details"],
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if result.assigned_reviewer_id == request.user.pk:
            messages.success(request, _("The review is yours."))
        else:
            messages.warning(
                request,
                _(
                    "Your declaration is recorded. The application stays in the queue for another reviewer."
                ),
            )
    return redirect("applications:office-application-detail", reference)


@require_POST
def request_information(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.request_information")
    form = InformationRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_more_information(
                actor=actor_of(request), application=application,
                message=form.cleaned_data["message"], due_on=form.cleaned_data["due_on"],
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your request was sent to the applicant."))
            return redirect("applications:office-application-detail", reference)
    return _render_detail(request, application, request_form=form, status=422)


@require_POST
def release(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.release_review")
    form = ReleaseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.release_review(actor=actor_of(request), application=application, reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The application is back in the queue for another reviewer."))
    return redirect("applications:office-application-detail", reference)


@require_POST
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.decide_eligibility")
    form = _decision_form(application, request.POST)
    if form.is_valid():
        findings = {
            pk: services.Finding(result, note, evidence_ids)
            for pk, (result, note, evidence_ids) in form.findings().items()
        }
        decide_with = (
            services.find_eligible
            if form.cleaned_data["outcome"] == EligibilityOutcome.ELIGIBLE
            else services.find_not_eligible
        )
        try:
            decide_with(
                actor=actor_of(request), application=application, findings=findings,
                reasons=form.cleaned_data["reasons"],
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Eligibility recorded and the applicant told."))
            return redirect("applications:office-application-detail", reference)
    return _render_detail(request, application, decision_form=form, status=422)


def accommodation_queue(request: HttpRequest) -> HttpResponse:
    require_perm(request, "applications.view_accommodations")
    scheme_ids = selectors.visible_scheme_ids(request.user, roles=("eligibility_reviewer",))
    return render(
        request,
        "applications/office/accommodations.html",
        {"accommodations": selectors.list_pending_accommodations(scheme_ids=scheme_ids)},
    )


@require_POST
def decide_accommodation(
    request: HttpRequest, reference: str, accommodation_id: int
) -> HttpResponse:
    application = application_for(request, reference, perm="applications.view_accommodations")
    accommodation = Accommodation.objects.filter(
        pk=accommodation_id, application=application
    ).first()
    if accommodation is None:
        raise Http404
    require_perm(request, "applications.decide_accommodation", accommodation)
    form = AccommodationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give the reasons."))
        return redirect("applications:office-application-detail", reference)
    data = form.cleaned_data
    try:
        if data["decision"] == "approve":
            services.approve_accommodation(
                actor=actor_of(request), accommodation=accommodation,
                arrangements=data["arrangements"], reasons=data["reasons"],
                extra_time_percent=data["extra_time_percent"],
            )  # fmt: skip
        else:
            services.refuse_accommodation(
                actor=actor_of(request), accommodation=accommodation, reasons=data["reasons"]
            )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Decision recorded and the applicant told."))
    return redirect("applications:office-application-detail", reference)
