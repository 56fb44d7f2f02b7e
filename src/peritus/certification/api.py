"""Certificates (the holder's own; staff within their schemes), decisions and issuing.

Changes need a token with the `write` scope and go through the same services as the office
pages, so every rule (segregation of duties, complete file, terms accepted) holds here too.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from peritus.accounts.models import User
from peritus.accounts.selectors import get_person_of_user
from peritus.accounts.services import require_api_scope
from peritus.applications.models import Application
from peritus.applications.selectors import applications_with_parts, visible_scheme_ids
from peritus.certification import selectors
from peritus.certification.documents import revision_file_name, revision_pdf
from peritus.certification.errors import CertificationInputError
from peritus.certification.models import Certificate, CertificateVersion, CertificationDecision
from peritus.certification.schemas import (
    CertificateOut,
    DecisionIn,
    DecisionOut,
    IssueIn,
    ReissueIn,
    TermsAcceptanceOut,
)
from peritus.certification.services import (
    accept_certificate_terms,
    decide_certification,
    issue_certificate,
    reissue_certificate,
)
from peritus.certification.views.office import STAFF_ROLES
from peritus.core.access import get_object_for
from peritus.core.pagination import BoundedLimitOffsetPagination
from peritus.schemes.models import ScopeItem

router = Router(tags=["certification"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _visible_certificates(request: HttpRequest) -> QuerySet[Certificate]:
    user: Any = request.user
    if user.has_perm("certification.list_certificates"):
        return selectors.list_certificates(scheme_ids=visible_scheme_ids(user, STAFF_ROLES))
    person = get_person_of_user(user)
    if person is None:
        return Certificate.objects.none()
    return selectors.list_certificates_of_holder(holder=person)


def _certificate(request: HttpRequest, number: str) -> Certificate:
    try:
        certificate = selectors.get_certificate_by_number(number)
    except Certificate.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("certification.view_certificate", certificate):
        raise Http404
    return certificate


def _decision(request: HttpRequest, reference: str) -> CertificationDecision:
    return get_object_for(
        request.user,
        selectors.decision_queryset(),
        view_perm="certification.view_decision",
        reference=reference,
    )


@router.get(
    "/certificates",
    response=list[CertificateOut],
    summary="Certificates: your own, or as staff those of your schemes",
)
@paginate(BoundedLimitOffsetPagination)
def list_certificates(request: HttpRequest) -> QuerySet[Certificate]:
    return _visible_certificates(request)


@router.get("/certificates/{number}", response=CertificateOut, summary="One certificate")
def get_certificate(request: HttpRequest, number: str) -> Certificate:
    return _certificate(request, number)


@router.get(
    "/certificates/{number}/revisions/{revision}/pdf",
    response={200: None},
    summary="The PDF of one revision (superseded revisions come marked SUPERSEDED)",
)
def get_certificate_pdf(request: HttpRequest, number: str, revision: int) -> HttpResponse:
    certificate = _certificate(request, number)
    try:
        version = selectors.get_version(certificate, revision)
    except CertificateVersion.DoesNotExist:
        raise Http404 from None
    response = HttpResponse(revision_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{revision_file_name(version)}"'
    return response


@router.post(
    "/certificates/{number}/reissue",
    response=CertificateOut,
    summary="Reissue after a legal name change or a correction (certification officer)",
)
def reissue(request: HttpRequest, number: str, payload: ReissueIn) -> Certificate:
    require_api_scope(request.user, "write")
    certificate = _certificate(request, number)
    reissue_certificate(
        certificate=certificate, actor=_user(request), reason=payload.reason, note=payload.note
    )
    return selectors.get_certificate_by_number(certificate.number)


@router.post(
    "/certification/applications/{reference}/decision",
    response={201: DecisionOut},
    summary="Decide on a complete file (decision maker; refused if involved with the candidate)",
)
def decide(request: HttpRequest, reference: str, payload: DecisionIn) -> Status[Any]:
    require_api_scope(request.user, "write")
    application: Application = get_object_for(
        request.user,
        applications_with_parts(),
        view_perm="certification.decide",
        reference=reference,
    )
    scope = list(
        ScopeItem.objects.filter(scheme_version=application.scheme_version, code__in=payload.scope)
    )
    if len(scope) != len(set(payload.scope)):
        raise CertificationInputError(
            "unknown_scope", _("A scope code is not in this scheme version.")
        )
    decision = decide_certification(
        application=application,
        actor=_user(request),
        outcome=payload.outcome,
        rationale=payload.rationale,
        scope_items=scope,
    )
    return Status(201, selectors.decision_queryset().get(pk=decision.pk))


@router.get("/certification/decisions/{reference}", response=DecisionOut, summary="One decision")
def get_decision(request: HttpRequest, reference: str) -> CertificationDecision:
    return _decision(request, reference)


@router.post(
    "/certification/decisions/{reference}/certificate",
    response={201: CertificateOut},
    summary="Issue the certificate of a positive decision (certification officer)",
)
def issue(request: HttpRequest, reference: str, payload: IssueIn) -> Status[Any]:
    require_api_scope(request.user, "write")
    decision = _decision(request, reference)
    certificate = issue_certificate(
        decision=decision, actor=_user(request), valid_from=payload.valid_from
    )
    return Status(201, selectors.get_certificate_by_number(certificate.number))


@router.post(
    "/certification/decisions/{reference}/terms-acceptance",
    response={201: TermsAcceptanceOut},
    summary="Accept the rules on the use of certificates and marks (the person concerned)",
)
def accept_terms(request: HttpRequest, reference: str) -> Status[Any]:
    require_api_scope(request.user, "write")
    decision = _decision(request, reference)
    acceptance = accept_certificate_terms(
        person=decision.person,
        scheme_version=decision.scheme_version,
        actor=_user(request),
        ip_address=request.META.get("REMOTE_ADDR"),
    )
    return Status(201, acceptance)
