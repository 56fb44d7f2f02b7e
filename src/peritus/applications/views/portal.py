"""The candidate's pages: apply, fill in, upload, sign, submit, follow, answer, withdraw."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.requests import actor_of
from peritus.accounts.selectors import get_person_of_user
from peritus.applications import selectors, services
from peritus.applications.forms import (
    AccommodationForm,
    AnswersForm,
    AttestationForm,
    CodeOfConductForm,
    ConsentForm,
    EvidenceForm,
    ResponseForm,
    WithdrawForm,
)
from peritus.applications.models import Application, EvidenceKind
from peritus.applications.views.common import application_for
from peritus.core.errors import DomainError
from peritus.schemes.models import Scheme
from peritus.schemes.selectors import get_current_version, list_public_schemes


def _detail(application: Application) -> HttpResponse:
    return redirect("applications:portal-application-detail", application.reference)


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    person = get_person_of_user(request.user)
    applications = selectors.list_applications_of_person(person) if person else []
    return render(
        request,
        "applications/portal/list.html",
        {"applications": applications, "schemes": list_public_schemes(), "person": person},
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_start(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = Scheme.objects.filter(slug=slug).first()
    version = get_current_version(scheme) if scheme is not None else None
    if scheme is None or version is None:
        raise Http404
    person = get_person_of_user(request.user)
    if request.method == "POST":
        if person is None:
            messages.error(request, _("Your account has no person record; contact the body."))
        else:
            try:
                application = services.create_application(
                    actor=actor_of(request), person=person, scheme=scheme
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Application started. Fill it in at your own pace."))
                return _detail(application)
    return render(
        request,
        "applications/portal/start.html",
        {"scheme": scheme, "version": version, "person": person},
    )


@login_required
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference)
    version = application.scheme_version
    user = request.user
    evidence = selectors.list_evidence(application, include_restricted=True)
    return render(
        request,
        "applications/portal/detail.html",
        {
            "application": application,
            "version": version,
            "missing": services.list_missing_for_submission(application)
            if user.has_perm("applications.submit_application", application)
            else [],
            "prerequisites": selectors.list_applicable_prerequisites(application),
            "evidence": [e for e in evidence if not e.is_restricted],
            "accommodations": application.accommodations.prefetch_related("supporting_documents"),
            "open_request": application.information_requests.filter(
                responded_at__isnull=True
            ).first(),
            "requests": application.information_requests.all(),
            "reviews": selectors.list_reviews(application),
            "evidence_form": EvidenceForm(version=version),
            "attestation_form": AttestationForm(),
            "conduct_form": CodeOfConductForm(),
            "consent_form": ConsentForm(
                initial={"consent": {True: "yes", False: "no"}.get(application.register_consent)}  # type: ignore[arg-type]
            ),
            "may_change": user.has_perm("applications.change_application", application),
            "may_add_evidence": user.has_perm("applications.add_evidence", application),
            "may_remove_evidence": user.has_perm("applications.remove_evidence", application),
            "may_sign": user.has_perm("applications.sign_application", application),
            "may_consent": user.has_perm("applications.give_register_consent", application),
            "may_submit": user.has_perm("applications.submit_application", application),
            "may_respond": user.has_perm("applications.respond_application", application),
            "may_withdraw": user.has_perm("applications.withdraw_application", application),
            "may_request_accommodation": user.has_perm(
                "applications.request_accommodation", application
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.change_application")
    initial = {
        "requested_scope": list(application.requested_scope.all()),
        "employer": application.employer,
        "education_summary": application.education_summary,
        "experience_summary": application.experience_summary,
        "training_summary": application.training_summary,
        "assessment_language": application.assessment_language,
    }
    form = AnswersForm(request.POST or None, initial=initial, version=application.scheme_version)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        scope = values.pop("requested_scope", None)
        try:
            services.update_application(
                actor=actor_of(request), application=application, values=values,
                requested_scope=scope,
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if (
                application.attestation_signed
                and not Application.objects.get(pk=application.pk).attestation_signed
            ):
                messages.warning(request, _("Your answers changed, so sign the attestation again."))
            else:
                messages.success(request, _("Saved."))
            return _detail(application)
    return render(
        request, "applications/portal/edit.html", {"application": application, "form": form}
    )


@login_required
@require_POST
def evidence_upload(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.add_evidence")
    form = EvidenceForm(request.POST, request.FILES, version=application.scheme_version)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _detail(application)
    upload = form.cleaned_data["file"]
    try:
        services.upload_evidence(
            actor=actor_of(request), application=application, upload=upload, name=upload.name,
            kind=form.cleaned_data["kind"], prerequisite=form.cleaned_data["prerequisite"],
            description=form.cleaned_data["description"],
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("File added: %(name)s.") % {"name": upload.name})
    return _detail(application)


@login_required
@require_POST
def evidence_remove(request: HttpRequest, reference: str, evidence_id: int) -> HttpResponse:
    application = application_for(request, reference, perm="applications.remove_evidence")
    evidence = application.evidence_files.filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    try:
        services.remove_evidence(actor=actor_of(request), evidence=evidence)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("File removed."))
    return _detail(application)


@login_required
@require_POST
def sign(request: HttpRequest, reference: str, what: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.sign_application")
    actor = actor_of(request)
    try:
        if what == "attestation":
            form = AttestationForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Type your full name and tick the box to sign."))
                return _detail(application)
            services.sign_attestation(
                actor=actor, application=application, signed_name=form.cleaned_data["signed_name"]
            )
            messages.success(request, _("Attestation signed."))
        elif what == "code-of-conduct":
            if not CodeOfConductForm(request.POST).is_valid():
                messages.error(request, _("Tick the box to accept the code of conduct."))
                return _detail(application)
            services.accept_code_of_conduct(actor=actor, application=application)
            messages.success(request, _("Code of conduct accepted."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return _detail(application)


@login_required
@require_POST
def consent(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.give_register_consent")
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose yes or no."))
        return _detail(application)
    try:
        services.record_register_consent(
            actor=actor_of(request), application=application, consent=form.cleaned_data["consent"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your choice about the public register is recorded."))
    return _detail(application)


@login_required
@require_POST
def submit(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.submit_application")
    try:
        services.submit_application(actor=actor_of(request), application=application)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Application submitted. We have sent you an acknowledgement by email.")
        )
    return _detail(application)


@login_required
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.respond_application")
    form = ResponseForm(
        request.POST or None, request.FILES or None, version=application.scheme_version
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        prerequisite = form.cleaned_data.get("prerequisite")
        kind = prerequisite.kind if prerequisite is not None else EvidenceKind.OTHER
        files = (
            [services.ResponseFile(upload, upload.name, kind, getattr(prerequisite, "pk", None))]
            if upload
            else []
        )
        try:
            services.respond_to_information_request(
                actor=actor_of(request), application=application,
                response=form.cleaned_data["response"], files=files,
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your answer is with the reviewer."))
            return _detail(application)
    return render(
        request,
        "applications/portal/respond.html",
        {"application": application, "form": form,
         "open_request": application.information_requests.filter(responded_at__isnull=True).first()},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.withdraw_application")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_application(
                actor=actor_of(request), application=application, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your application is withdrawn."))
            return _detail(application)
    return render(
        request, "applications/portal/withdraw.html", {"application": application, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def accommodation_request(request: HttpRequest, reference: str) -> HttpResponse:
    application = application_for(request, reference, perm="applications.request_accommodation")
    form = AccommodationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data.get("document")
        try:
            services.request_accommodation(
                actor=actor_of(request), application=application, kind=form.cleaned_data["kind"],
                need=form.cleaned_data["need"],
                extra_time_percent=form.cleaned_data.get("extra_time_percent"),
                document=document or None, document_name=document.name if document else "",
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your request is with the eligibility reviewers."))
            return _detail(application)
    return render(
        request,
        "applications/portal/accommodation.html",
        {"application": application, "form": form},
    )
