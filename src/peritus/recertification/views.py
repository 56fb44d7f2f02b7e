"""Pages of surveillance and recertification: the holder's portal and the office queue.

Thin: fetch through an access check, call a service, show the refusal or the result. The office
screens show why the viewer may not decide (the same reads the service uses), but the service is
what blocks (R1).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peritus.accounts.models import User
from peritus.accounts.requests import actor_of
from peritus.certification.models import Certificate
from peritus.core.access import get_object_for
from peritus.core.errors import DomainError
from peritus.recertification import selectors
from peritus.recertification.forms import (
    CpdForm,
    DecisionForm,
    PolicyForm,
    ReviewForm,
    SubmissionForm,
    SuspensionForm,
)
from peritus.recertification.models import (
    CpdActivity,
    RecertificationPolicy,
    StoredFile,
    Submission,
    SubmissionFile,
    SubmissionKind,
    SubmissionStatus,
)
from peritus.recertification.schedule import due_for, rules_for
from peritus.recertification.services import (
    decide_recertification,
    log_cpd_activity,
    review_submission,
    set_recertification_policy,
    submit_recertification,
    submit_surveillance,
    suspend_after_surveillance,
)
from peritus.recertification.services.review import decision_obstacles, superseded_rules
from peritus.schemes.models import SchemeVersion


def _named(activities: Any, due: Any) -> list[CpdActivity]:
    """The activities with their category's name (`category_name`) for the tables."""
    names = {category.code: category.name for category in due.rules.categories}
    rows = list(activities)
    for activity in rows:
        setattr(activity, "category_name", names.get(activity.category, activity.category))  # noqa: B010
    return rows


def _own(request: HttpRequest, number: str) -> Certificate:
    certificate = selectors.own_certificate(request.user, number)
    if certificate is None:
        raise Http404
    return certificate


# The holder's portal ----------------------------------------------------------------------------


@login_required
@require_GET
def portal_overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "recertification/portal_overview.html",
        {"dues": selectors.dues_of_user(request.user, today=today), "today": today},
    )


@login_required
@require_GET
def portal_certificate(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _own(request, number)
    today = timezone.localdate()
    due = due_for(certificate, today=today)
    return render(
        request,
        "recertification/portal_certificate.html",
        {
            "certificate": certificate,
            "due": due,
            "activities": _named(
                selectors.activities_of(certificate, since=due.cycle_starts_on), due
            ),
            "submissions": selectors.submissions_of(certificate),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def portal_log_cpd(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _own(request, number)
    due = due_for(certificate, today=timezone.localdate())
    form = CpdForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        rules=due.rules,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["evidence"]
        try:
            log_cpd_activity(
                actor=actor_of(request),
                certificate=certificate,
                category=data["category"],
                title=data["title"],
                provider=data["provider"],
                completed_on=data["completed_on"],
                hours=data["hours"],
                description=data["description"],
                upload=upload,
                name=upload.name or "evidence",
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your activity is logged."))
            return redirect("recertification:portal-certificate", number=certificate.number)
    return render(
        request,
        "recertification/portal_cpd_form.html",
        {"certificate": certificate, "due": due, "form": form},
        status=422 if form.errors else 200,
    )


def _portal_submit(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    certificate = _own(request, number)
    due = due_for(certificate, today=timezone.localdate())
    form = SubmissionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("evidence")
        service = (
            submit_surveillance if kind == SubmissionKind.SURVEILLANCE else submit_recertification
        )
        try:
            submission = service(
                actor=actor_of(request),
                certificate=certificate,
                declared=bool(data["declared"]),
                work_log=data["work_log"],
                statement=data["statement"],
                upload=upload,
                file_name=getattr(upload, "name", "") or "evidence",
                file_kind=data.get("evidence_kind") or SubmissionFile.Kind.OTHER,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Submitted as %(reference)s. We will tell you the outcome.")
                % {"reference": submission.reference},
            )
            return redirect("recertification:portal-certificate", number=certificate.number)
    return render(
        request,
        "recertification/portal_submit.html",
        {
            "certificate": certificate,
            "due": due,
            "form": form,
            "kind": kind,
            "surveillance": kind == SubmissionKind.SURVEILLANCE,
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def portal_submit_surveillance(request: HttpRequest, number: str) -> HttpResponse:
    return _portal_submit(request, number, SubmissionKind.SURVEILLANCE)


@login_required
@require_http_methods(["GET", "POST"])
def portal_submit_recertification(request: HttpRequest, number: str) -> HttpResponse:
    return _portal_submit(request, number, SubmissionKind.RECERTIFICATION)


# Evidence downloads (holder and staff) ----------------------------------------------------------


def _download(stored: StoredFile) -> FileResponse:
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@never_cache
@login_required
@require_GET
def cpd_evidence(request: HttpRequest, activity_id: int) -> FileResponse:
    activity = get_object_for(
        request.user,
        CpdActivity.objects.select_related("certificate__holder", "certificate__scheme"),
        view_perm="recertification.view_cpd_evidence",
        pk=activity_id,
    )
    return _download(activity)


@never_cache
@login_required
@require_GET
def submission_file(request: HttpRequest, reference: str, file_id: int) -> FileResponse:
    stored = get_object_for(
        request.user,
        SubmissionFile.objects.select_related("submission__certificate__holder"),
        view_perm="recertification.view_submission",
        pk=file_id,
        submission__reference=reference,
    )
    return _download(stored)


# The office ---------------------------------------------------------------------------------------


@require_GET
def office_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("recertification.list_submissions"):
        raise PermissionDenied
    status = request.GET.get("status", "")
    return render(
        request,
        "recertification/office_queue.html",
        {
            "submissions": selectors.review_queue(request.user, status=status),
            "status": status,
            "statuses": SubmissionStatus.choices,
        },
    )


def _submission_for(request: HttpRequest, reference: str, perm: str | None = None) -> Submission:
    return get_object_for(
        request.user,
        selectors.submission_queryset(),
        view_perm="recertification.view_submission",
        perm=perm,
        reference=reference,
    )


def _detail(request: HttpRequest, submission: Submission, **forms: Any) -> HttpResponse:
    user = request.user
    activities = list(submission.cpd_activities.order_by("-completed_on", "pk"))
    recertification = submission.kind == SubmissionKind.RECERTIFICATION
    review_form = forms.get("review_form")
    if review_form is None and submission.status == SubmissionStatus.SUBMITTED:
        review_form = ReviewForm(activities=activities, recertification=recertification)
    decision_form = forms.get("decision_form")
    if decision_form is None and recertification and submission.status == SubmissionStatus.REVIEWED:
        decision_form = DecisionForm()
    suspension_form = forms.get("suspension_form")
    if (
        suspension_form is None
        and not recertification
        and submission.status == SubmissionStatus.REFUSED
        and submission.suspension_decision_id is None
    ):
        suspension_form = SuspensionForm()
    today = timezone.localdate()
    due = due_for(submission.certificate, today=today)
    return render(
        request,
        "recertification/office_submission.html",
        {
            "submission": submission,
            "certificate": submission.certificate,
            "due": due,
            "activities": _named(activities, due),
            "files": selectors.files_of(submission),
            "may_review": user.has_perm("recertification.review_submission", submission),
            "may_decide": user.has_perm("recertification.decide_recertification", submission),
            "obstacles": decision_obstacles(cast(User, user), submission, on=today)
            if recertification
            else [],
            "superseded": superseded_rules(submission.certificate) if recertification else "",
            "review_form": review_form,
            "decision_form": decision_form,
            "suspension_form": suspension_form,
        },
        status=422 if any(form is not None and form.errors for form in forms.values()) else 200,
    )


@require_GET
def office_submission(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail(request, _submission_for(request, reference))


@require_POST
def office_review(request: HttpRequest, reference: str) -> HttpResponse:
    submission = _submission_for(request, reference, perm="recertification.review_submission")
    activities = list(submission.cpd_activities.order_by("-completed_on", "pk"))
    form = ReviewForm(
        request.POST,
        activities=activities,
        recertification=submission.kind == SubmissionKind.RECERTIFICATION,
    )
    if form.is_valid():
        try:
            review_submission(
                actor=actor_of(request),
                submission=submission,
                positive=bool(form.cleaned_data["positive"]),
                findings=form.cleaned_data["findings"],
                verdicts=form.verdicts(),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your review is recorded."))
            return redirect("recertification:office-submission", reference=reference)
    return _detail(request, submission, review_form=form)


@require_POST
def office_decide(request: HttpRequest, reference: str) -> HttpResponse:
    submission = _submission_for(request, reference, perm="recertification.decide_recertification")
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decide_recertification(
                actor=actor_of(request),
                submission=submission,
                grant=bool(form.cleaned_data["grant"]),
                rationale=form.cleaned_data["rationale"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The decision is recorded and the holder told."))
            return redirect("recertification:office-submission", reference=reference)
    return _detail(request, submission, decision_form=form)


@require_POST
def office_suspend(request: HttpRequest, reference: str) -> HttpResponse:
    submission = _submission_for(request, reference, perm="recertification.decide_recertification")
    form = SuspensionForm(request.POST)
    if form.is_valid():
        try:
            suspend_after_surveillance(
                actor=actor_of(request),
                submission=submission,
                reason=form.cleaned_data["reason"],
                conditions=form.cleaned_data["conditions"],
                deadline=form.cleaned_data["deadline"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The certificate is suspended and the holder told."))
            return redirect("recertification:office-submission", reference=reference)
    return _detail(request, submission, suspension_form=form)


# The scheme manager's rules ---------------------------------------------------------------------


def _managed_versions(request: HttpRequest) -> list[SchemeVersion]:
    versions = SchemeVersion.objects.select_related("scheme").order_by("scheme__code", "-pk")
    return [v for v in versions if request.user.has_perm("recertification.set_policy", v)]


@require_GET
def office_policies(request: HttpRequest) -> HttpResponse:
    versions = _managed_versions(request)
    if not versions and not request.user.has_perm("recertification.set_policy"):
        raise PermissionDenied
    return render(
        request,
        "recertification/office_policies.html",
        {"rows": [(version, rules_for(version)) for version in versions]},
    )


def _policy_initial(version: SchemeVersion) -> dict[str, Any]:
    rules = rules_for(version)
    has_policy = RecertificationPolicy.objects.filter(scheme_version=version).exists()
    return {
        "categories": "\n".join(
            f"{c.code} | {c.name} | {c.min_hours}" for c in rules.categories if has_policy
        ),
        "declaration_text": rules.declaration_text,
        "work_log_required": rules.work_log_required,
        "reexamination_required": rules.reexamination_required,
        "spot_check_percent": rules.spot_check_percent,
        "grace_period_days": rules.grace_period_days,
        "surveillance_notice_days": rules.surveillance_notice_days,
    }


@require_http_methods(["GET", "POST"])
def office_policy(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_for(
        request.user,
        SchemeVersion.objects.select_related("scheme"),
        view_perm="recertification.set_policy",
        pk=version_id,
    )
    form = PolicyForm(
        request.POST if request.method == "POST" else None, initial=_policy_initial(version)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            set_recertification_policy(
                actor=actor_of(request),
                scheme_version=version,
                categories=data["categories"],
                declaration_text=data["declaration_text"],
                work_log_required=data["work_log_required"],
                reexamination_required=data["reexamination_required"],
                spot_check_percent=data["spot_check_percent"],
                grace_period_days=data["grace_period_days"],
                surveillance_notice_days=data["surveillance_notice_days"],
                self_declared_justification=data["self_declared_justification"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The recertification rules are saved."))
            return redirect("recertification:office-policies")
    return render(
        request,
        "recertification/office_policy.html",
        {"version": version, "rules": rules_for(version), "form": form},
        status=422 if form.errors else 200,
    )
