"""The person accepts the rules on the use of certificates and marks (clause 9.7, R4)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.audit_trail.services import record_event
from peritus.certification.errors import CertificationError, CertificationNotPermittedError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import CertificateTermsAcceptance, CertificationDecision
from peritus.certification.selectors import current_terms
from peritus.schemes.models import SchemeVersion


@transaction.atomic(durable=True)
def accept_certificate_terms(
    *,
    person: Person,
    scheme_version: SchemeVersion,
    actor: User,
    ip_address: str | None = None,
) -> CertificateTermsAcceptance:
    """Record that `person` accepts the terms in force; the exact text version is kept.

    The person accepts for themself; a certification officer may record an acceptance the
    person signed on paper. Accepting the same text twice returns the first acceptance.
    """
    is_person = person.user_id is not None and person.user_id == actor.pk
    if not is_person and not has_role(
        actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=scheme_version.get_scheme_id()
    ):
        raise CertificationNotPermittedError(
            "not_the_holder", _("Only the person concerned can accept these terms.")
        )
    if not scheme_version.certificate_terms.strip():
        raise CertificationError(
            "terms_missing",
            _("This scheme version has no rules on the use of certificates and marks."),
        )
    if (
        not CertificationDecision.objects.filter(
            person=person, scheme_version=scheme_version
        ).exists()
        and not person.applications.filter(scheme_version=scheme_version).exists()
    ):
        raise CertificationError(
            "nothing_to_accept",
            _("There is no application or decision under this scheme version to accept terms for."),
        )
    label, digest = current_terms(scheme_version)
    existing = CertificateTermsAcceptance.objects.filter(
        person=person, scheme_version=scheme_version, terms_sha256=digest
    ).first()
    if existing is not None:
        return existing
    acceptance = CertificateTermsAcceptance.objects.create(
        person=person,
        scheme_version=scheme_version,
        terms_version=label,
        terms_sha256=digest,
        accepted_by=actor,
        accepted_at=timezone.now(),
        ip_address=ip_address or None,
    )
    record_event(
        CertificationEvent.TERMS_ACCEPTED,
        actor=actor,
        subject=acceptance,
        related=[person, scheme_version],
        data={"terms_version": label, "terms_sha256": digest, "recorded_for_person": not is_person},
    )
    return acceptance
