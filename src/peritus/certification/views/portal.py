"""The candidate's pages: my certificates, their PDFs (only my own), accepting the terms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peritus.accounts.selectors import get_person_of_user
from peritus.certification import selectors
from peritus.certification.documents import revision_file_name, revision_pdf
from peritus.certification.forms import TermsForm
from peritus.certification.lifecycle_checks import status_allows
from peritus.certification.models import Certificate, CertificateVersion, DecisionOutcome
from peritus.certification.services import accept_certificate_terms
from peritus.certification.views.office import _pdf_response
from peritus.core.errors import DomainError


def _own_certificate(request: HttpRequest, number: str) -> Certificate:
    """The signed-in person's certificate; 404 for anyone else's (its existence never leaks)."""
    person = get_person_of_user(request.user)
    try:
        certificate = selectors.get_certificate_by_number(number)
    except Certificate.DoesNotExist:
        raise Http404 from None
    if person is None or certificate.holder_id != person.pk:
        raise Http404
    return certificate


@login_required
def portal_certificates(request: HttpRequest) -> HttpResponse:
    person = get_person_of_user(request.user)
    certificates = (
        list(selectors.list_certificates_of_holder(holder=person)) if person is not None else []
    )
    awaiting_terms = []
    if person is not None:
        for decision in selectors.list_decisions_of_person(person=person).filter(
            outcome=DecisionOutcome.GRANT, certificate__isnull=True
        ):
            acceptance = selectors.get_terms_acceptance(
                person=person, scheme_version=decision.scheme_version
            )
            awaiting_terms.append((decision, acceptance))
    return render(
        request,
        "certification/portal_certificates.html",
        {"certificates": certificates, "awaiting_terms": awaiting_terms, "person": person},
    )


@login_required
def portal_certificate_detail(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _own_certificate(request, number)
    return render(
        request,
        "certification/portal_certificate_detail.html",
        {
            "certificate": certificate,
            "public": certificate.public_status(),
            "versions": selectors.list_versions(certificate),
            "changes": selectors.list_status_changes(certificate),
            "lifecycle_decisions": selectors.list_lifecycle_decisions(certificate),
            "suspension": selectors.get_open_suspension(certificate),
            "may_surrender": status_allows(
                certificate, "surrender", today=timezone.localdate()
            ).allowed,
        },
    )


@login_required
def portal_certificate_pdf(request: HttpRequest, number: str, revision: int) -> HttpResponse:
    certificate = _own_certificate(request, number)
    try:
        version = selectors.get_version(certificate, revision)
    except CertificateVersion.DoesNotExist:
        raise Http404 from None
    return _pdf_response(revision_pdf(version), revision_file_name(version))


@login_required
@require_http_methods(["GET", "POST"])
def portal_terms(request: HttpRequest, reference: str) -> HttpResponse:
    person = get_person_of_user(request.user)
    decision = (
        selectors.decision_queryset()
        .filter(reference=reference, person=person, outcome=DecisionOutcome.GRANT)
        .first()
        if person is not None
        else None
    )
    if decision is None:
        raise Http404
    acceptance = selectors.get_terms_acceptance(
        person=person, scheme_version=decision.scheme_version
    )
    form = TermsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            accept_certificate_terms(
                person=decision.person,
                scheme_version=decision.scheme_version,
                actor=request.user,  # type: ignore[arg-type]
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Thank you. Your certificate can now be issued; we will tell you when it is."),
            )
            return redirect("certification:portal-certificates")
    return render(
        request,
        "certification/portal_terms.html",
        {"decision": decision, "acceptance": acceptance, "form": form},
        status=422 if form.errors else 200,
    )
