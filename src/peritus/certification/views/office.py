"""Back-office pages: the decision queue and screen, issuing, certificates and evidence chains.

Thin: fetch through an access check, call a service, show the refusal or the result. The decision
screen shows why the viewer may not decide (the same reads the service uses), but the service is
what blocks (R1).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from peritus.accounts.requests import actor_of, require_perm
from peritus.applications.models import Application
from peritus.applications.selectors import applications_with_parts, visible_scheme_ids
from peritus.certification import selectors
from peritus.certification.decision_file import decision_readiness, list_files_awaiting_decision
from peritus.certification.documents import revision_file_name, revision_pdf
from peritus.certification.evidence import chain_for_application, chain_for_certificate
from peritus.certification.forms import (
    BulkIssueForm,
    CertificateSearchForm,
    DecisionForm,
    IssueForm,
    ReissueForm,
)
from peritus.certification.lifecycle_checks import holder_involvements, status_allows
from peritus.certification.models import (
    Certificate,
    CertificateVersion,
    CertificationDecision,
    DecisionOutcome,
)
from peritus.certification.services import (
    accept_certificate_terms,
    decide_certification,
    export_evidence_pack,
    issue_certificate,
    issue_certificates,
    reissue_certificate,
)
from peritus.core.access import get_object_for
from peritus.core.errors import DomainError

PAGE_SIZE = 50
STAFF_ROLES = (
    "certification_officer",
    "decision_maker",
    "eligibility_reviewer",
    "appeals_panel",
    "complaints_handler",
    "quality_manager",
    "assessor",
)


def _application_for(request: HttpRequest, reference: str, perm: str) -> Application:
    return get_object_for(
        request.user, applications_with_parts(), view_perm=perm, reference=reference
    )


def _decision_for(request: HttpRequest, reference: str) -> CertificationDecision:
    return get_object_for(
        request.user,
        selectors.decision_queryset(),
        view_perm="certification.view_decision",
        reference=reference,
    )


def _certificate_for(request: HttpRequest, number: str) -> Certificate:
    try:
        certificate = selectors.get_certificate_by_number(number)
    except Certificate.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("certification.view_certificate", certificate):
        raise Http404
    return certificate


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# Decisions ----------------------------------------------------------------------------------------


def decision_queue(request: HttpRequest) -> HttpResponse:
    require_perm(request, "certification.list_decisions")
    scheme_ids = visible_scheme_ids(request.user, STAFF_ROLES)
    may_issue = request.user.has_perm("certification.issue_certificate")
    awaiting_issue = list(selectors.list_grants_awaiting_certificate(scheme_ids=scheme_ids)[:200])
    accepted = selectors.terms_accepted_for(awaiting_issue)
    bulk_form = BulkIssueForm(
        choices=[(d.reference, d.reference) for d in awaiting_issue if d.pk in accepted]
    )
    return render(
        request,
        "certification/decision_queue.html",
        {
            "files": list_files_awaiting_decision(scheme_ids=scheme_ids)[:200],
            "awaiting_issue": [(d, d.pk in accepted) for d in awaiting_issue],
            "recent": selectors.decision_queryset()
            .filter(
                **({"scheme_version__scheme_id__in": scheme_ids} if scheme_ids is not None else {})
            )
            .order_by("-decided_at", "-pk")[:20],
            "may_issue": may_issue,
            "bulk_form": bulk_form,
        },
    )


def _decision_page(
    request: HttpRequest, application: Application, form: DecisionForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "certification/decision_form.html",
        {
            "application": application,
            "readiness": decision_readiness(request.user, application),
            "chain": chain_for_application(application),
            "decisions": selectors.list_decisions_of_application(application),
            "form": form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_for(request, reference, "certification.decide")
    form = DecisionForm(request.POST if request.method == "POST" else None, application=application)
    if request.method == "POST" and form.is_valid():
        try:
            decision = decide_certification(
                application=application,
                actor=actor_of(request),
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                scope_items=list(form.cleaned_data["scope_items"])
                if form.cleaned_data["outcome"] == DecisionOutcome.GRANT
                else [],
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return _decision_page(request, application, form, status=error.http_status)
        messages.success(
            request,
            _("Decision %(reference)s is recorded and the candidate is told.")
            % {"reference": decision.reference},
        )
        return redirect("certification:decision-detail", reference=decision.reference)
    return _decision_page(request, application, form, status=422 if form.errors else 200)


def _decision_detail_page(
    request: HttpRequest, decision: CertificationDecision, status: int = 200, **forms: Any
) -> HttpResponse:
    may_issue = request.user.has_perm("certification.issue_certificate", decision)
    context: dict[str, Any] = {
        "decision": decision,
        "certificate": Certificate.objects.filter(decision=decision).first(),
        "acceptance": selectors.get_terms_acceptance(
            person=decision.person, scheme_version=decision.scheme_version
        ),
        "may_issue": may_issue,
        "may_record_terms": request.user.has_perm(
            "certification.record_terms_acceptance", decision
        ),
        "issue_form": IssueForm(),
    }
    context.update(forms)
    return render(request, "certification/decision_detail.html", context, status=status)


def decision_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _decision_detail_page(request, _decision_for(request, reference))


@require_POST
def decision_issue(request: HttpRequest, reference: str) -> HttpResponse:
    decision = _decision_for(request, reference)
    require_perm(request, "certification.issue_certificate", decision)
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            certificate = issue_certificate(
                decision=decision,
                actor=actor_of(request),
                valid_from=form.cleaned_data["valid_from"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return _decision_detail_page(
                request, decision, status=error.http_status, issue_form=form
            )
        messages.success(
            request, _("Certificate %(number)s is issued.") % {"number": certificate.number}
        )
        return redirect("certification:certificate-detail", number=certificate.number)
    return _decision_detail_page(request, decision, status=422, issue_form=form)


@require_POST
def decision_terms(request: HttpRequest, reference: str) -> HttpResponse:
    decision = _decision_for(request, reference)
    require_perm(request, "certification.record_terms_acceptance", decision)
    try:
        accept_certificate_terms(
            person=decision.person,
            scheme_version=decision.scheme_version,
            actor=actor_of(request),
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The acceptance signed on paper is recorded."))
    return redirect("certification:decision-detail", reference=decision.reference)


@require_POST
def decisions_issue(request: HttpRequest) -> HttpResponse:
    require_perm(request, "certification.issue_certificate")
    scheme_ids = visible_scheme_ids(request.user, STAFF_ROLES)
    candidates = list(selectors.list_grants_awaiting_certificate(scheme_ids=scheme_ids))
    form = BulkIssueForm(request.POST, choices=[(d.reference, d.reference) for d in candidates])
    if not form.is_valid():
        messages.error(request, _("Choose at least one decision whose terms are accepted."))
        return redirect("certification:decision-queue")
    chosen = [d for d in candidates if d.reference in set(form.cleaned_data["decisions"])]
    try:
        certificates = issue_certificates(decisions=chosen, actor=actor_of(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(count)s certificates are issued.") % {"count": len(certificates)},
        )
    return redirect("certification:decision-queue")


# Certificates ------------------------------------------------------------------------------------


def certificate_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "certification.list_certificates")
    form = CertificateSearchForm(request.GET or None)
    query, status = "", ""
    if form.is_valid():
        query, status = form.cleaned_data["q"], form.cleaned_data["status"]
    certificates = selectors.list_certificates(
        query=query, status=status, scheme_ids=visible_scheme_ids(request.user, STAFF_ROLES)
    )
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "certification/certificate_list.html", {"form": form, "page": page})


LIFECYCLE_ACTIONS = (
    ("suspend", "certification:certificate-suspend", _lazy("Suspend")),
    ("extend_suspension", "certification:certificate-extend-suspension", _lazy("Extend")),
    ("reinstate", "certification:certificate-reinstate", _lazy("Reinstate")),
    ("reduce_scope", "certification:certificate-reduce-scope", _lazy("Reduce the scope")),
    ("withdraw", "certification:certificate-withdraw", _lazy("Withdraw")),
)


def _lifecycle_context(request: HttpRequest, certificate: Certificate) -> dict[str, Any]:
    """The decisions the viewer may open (by the certificate's status) and why they may not."""
    may_decide = request.user.has_perm("certification.decide_lifecycle", certificate)
    today = timezone.localdate()
    actions = []
    if may_decide:
        actions = [
            (label, reverse(url_name, kwargs={"number": certificate.number}))
            for action, url_name, label in LIFECYCLE_ACTIONS
            if status_allows(certificate, action, today=today).allowed
            and (action != "reduce_scope" or len(certificate.scope) > 1)
        ]
    return {
        "may_decide": may_decide,
        "lifecycle_actions": actions,
        "involvements": holder_involvements(request.user, certificate, on=today)
        if may_decide
        else [],
        "lifecycle_decisions": selectors.list_lifecycle_decisions(certificate),
        "suspension": selectors.get_open_suspension(certificate),
    }


def _certificate_page(
    request: HttpRequest, certificate: Certificate, status: int = 200, **forms: Any
) -> HttpResponse:
    context: dict[str, Any] = {
        **_lifecycle_context(request, certificate),
        "certificate": certificate,
        "public": certificate.public_status(),
        "versions": selectors.list_versions(certificate),
        "changes": selectors.list_status_changes(certificate),
        "may_reissue": request.user.has_perm("certification.reissue_certificate", certificate),
        "may_see_evidence": request.user.has_perm("certification.view_evidence_chain", certificate),
        "reissue_form": ReissueForm(),
    }
    context.update(forms)
    return render(request, "certification/certificate_detail.html", context, status=status)


def certificate_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _certificate_page(request, _certificate_for(request, number))


def certificate_pdf(request: HttpRequest, number: str, revision: int) -> HttpResponse:
    certificate = _certificate_for(request, number)
    try:
        version = selectors.get_version(certificate, revision)
    except CertificateVersion.DoesNotExist:
        raise Http404 from None
    return _pdf_response(revision_pdf(version), revision_file_name(version))


@require_POST
def certificate_reissue(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _certificate_for(request, number)
    require_perm(request, "certification.reissue_certificate", certificate)
    form = ReissueForm(request.POST)
    if form.is_valid():
        try:
            reissue_certificate(
                certificate=certificate,
                actor=actor_of(request),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return _certificate_page(
                request, certificate, status=error.http_status, reissue_form=form
            )
        messages.success(
            request, _("The certificate is reissued; the previous revision is superseded.")
        )
        return redirect("certification:certificate-detail", number=certificate.number)
    return _certificate_page(request, certificate, status=422, reissue_form=form)


# Evidence chains ---------------------------------------------------------------------------------


def certificate_evidence(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _certificate_for(request, number)
    require_perm(request, "certification.view_evidence_chain", certificate)
    return render(
        request,
        "certification/evidence_chain.html",
        {
            "chain": chain_for_certificate(certificate),
            "pack_url": reverse(
                "certification:certificate-evidence-pack", kwargs={"number": certificate.number}
            ),
        },
    )


def application_evidence(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_for(request, reference, "certification.view_evidence_chain")
    return render(
        request,
        "certification/evidence_chain.html",
        {
            "chain": chain_for_application(application),
            "pack_url": reverse(
                "certification:application-evidence-pack",
                kwargs={"reference": application.reference},
            ),
        },
    )


def _zip_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def certificate_evidence_pack(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _certificate_for(request, number)
    require_perm(request, "certification.view_evidence_chain", certificate)
    try:
        content, name = export_evidence_pack(actor=actor_of(request), certificate=certificate)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    return _zip_response(content, name)


def application_evidence_pack(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_for(request, reference, "certification.view_evidence_chain")
    try:
        content, name = export_evidence_pack(actor=actor_of(request), application=application)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    return _zip_response(content, name)
