"""Reads for the office and the portal: certificates, revisions, decisions, terms."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Q, QuerySet

from peritus.certification.models import (
    Certificate,
    CertificateStatusChange,
    CertificateTermsAcceptance,
    CertificateVersion,
    CertificationDecision,
    DecisionOutcome,
)
from peritus.certification.numbers import parse_reference
from peritus.certification.selectors.register import register_terms


def certificate_queryset() -> QuerySet[Certificate]:
    return Certificate.objects.select_related(
        "holder", "scheme", "scheme_version", "decision", "decision__decided_by"
    )


def get_certificate_by_number(number: str) -> Certificate:
    """The certificate with this number (typed loosely); raises Certificate.DoesNotExist."""
    readings = parse_reference(number)
    if not readings:
        raise Certificate.DoesNotExist
    return certificate_queryset().get(number_key=readings[0].key)


def list_certificates_of_holder(*, holder: Any) -> QuerySet[Certificate]:
    return certificate_queryset().filter(holder=holder).order_by("-issued_on", "-pk")


def list_certificates(
    *, query: str = "", status: str = "", scheme_ids: set[int] | None = None
) -> QuerySet[Certificate]:
    """Certificates for the office list: by number, name or status, within the given schemes."""
    certificates = certificate_queryset()
    if scheme_ids is not None:
        certificates = certificates.filter(scheme_id__in=scheme_ids)
    if status:
        certificates = certificates.filter(status=status)
    if query.strip():
        readings = parse_reference(query)
        by_number = Q(number_key__in=[reading.key for reading in readings]) if readings else Q()
        by_name = Q()
        for term in register_terms(query):
            by_name &= Q(sort_name__contains=term)
        certificates = (
            certificates.filter(by_number | by_name) if readings else certificates.filter(by_name)
        )
    return certificates.order_by("-issued_on", "-pk")


def list_versions(certificate: Certificate) -> QuerySet[CertificateVersion]:
    return (
        CertificateVersion.objects.filter(certificate=certificate)
        .select_related("issued_by")
        .order_by("revision")
    )


def list_status_changes(certificate: Certificate) -> QuerySet[CertificateStatusChange]:
    return (
        CertificateStatusChange.objects.filter(certificate=certificate)
        .select_related("actor")
        .order_by("recorded_at", "pk")
    )


def get_version(certificate: Certificate, revision: int) -> CertificateVersion:
    return CertificateVersion.objects.select_related("certificate").get(
        certificate=certificate, revision=revision
    )


def decision_queryset() -> QuerySet[CertificationDecision]:
    return CertificationDecision.objects.select_related(
        "person", "scheme_version__scheme", "application", "decided_by", "recorded_by"
    ).prefetch_related("scope_items")


def list_decisions_of_application(application: Any) -> QuerySet[CertificationDecision]:
    return decision_queryset().filter(application=application).order_by("-decided_at", "-pk")


def list_grants_awaiting_certificate(
    *, scheme_ids: set[int] | None = None
) -> QuerySet[CertificationDecision]:
    """Positive decisions with no certificate yet (the certification officer's queue)."""
    decisions = decision_queryset().filter(outcome=DecisionOutcome.GRANT, certificate__isnull=True)
    if scheme_ids is not None:
        decisions = decisions.filter(scheme_version__scheme_id__in=scheme_ids)
    return decisions.order_by("decided_at", "pk")


def list_decisions_of_person(*, person: Any) -> QuerySet[CertificationDecision]:
    return decision_queryset().filter(person=person).order_by("-decided_at", "-pk")


def current_terms(scheme_version: Any) -> tuple[str, str]:
    """(version label, SHA-256) of the rules on the use of certificates and marks in force."""
    text = scheme_version.certificate_terms or ""
    return (
        f"{scheme_version.label}/certificate-terms",
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def get_terms_acceptance(*, person: Any, scheme_version: Any) -> CertificateTermsAcceptance | None:
    """The person's acceptance of the terms now in force for `scheme_version`, if any."""
    _label, digest = current_terms(scheme_version)
    return (
        CertificateTermsAcceptance.objects.filter(
            person=person, scheme_version=scheme_version, terms_sha256=digest
        )
        .order_by("-accepted_at")
        .first()
    )


def terms_accepted_for(decisions: list[CertificationDecision]) -> set[int]:
    """The decisions (pks) whose person accepted the terms in force for their scheme version."""
    wanted = {
        (decision.person_id, decision.scheme_version_id): current_terms(decision.scheme_version)[1]
        for decision in decisions
    }
    accepted = {
        (row.person_id, row.scheme_version_id)
        for row in CertificateTermsAcceptance.objects.filter(
            person_id__in={person for person, _version in wanted},
            scheme_version_id__in={version for _person, version in wanted},
        ).only("person_id", "scheme_version_id", "terms_sha256")
        if wanted.get((row.person_id, row.scheme_version_id)) == row.terms_sha256
    }
    return {
        decision.pk
        for decision in decisions
        if (decision.person_id, decision.scheme_version_id) in accepted
    }
