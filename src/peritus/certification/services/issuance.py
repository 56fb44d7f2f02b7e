"""Issuing certificates from positive decisions, one or thousands at a time (9.4, R2, R5, R6).

Issue = number from the scheme's series → printed contents → content digest → Ed25519 seal →
PDF → SHA-256 of the PDF → certificate, revision 1 and status history → audit event →
notification, in one transaction. A batch does each step for all its certificates together
(one lock on the series, bulk inserts, PDFs rendered on every core) and stays all or nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.certification import numbers
from peritus.certification.credentials import verification_url
from peritus.certification.errors import CertificationError, CertificationInputError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    CertificateTermsAcceptance,
    CertificateVersion,
    CertificationDecision,
    DecisionOutcome,
    ReissueReason,
)
from peritus.certification.pdf import CertificateContent, ScopeLine, is_printable
from peritus.certification.pdf import minimum_content_gaps as pdf_content_gaps
from peritus.certification.rendering import render_iter
from peritus.certification.sealing import Sealed, build_content, scope_lines, seal_content
from peritus.certification.selectors import current_terms
from peritus.certification.services.keys import _active_signing_key
from peritus.certification.services.numbering import draw_numbers
from peritus.certification.validity import expiry_date, register_sort_name
from peritus.notifications.services import queue_notification


def store_pdf(version: CertificateVersion, pdf: bytes) -> None:
    version.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    version.pdf_size = len(pdf)
    version.pdf.save(f"r{version.revision}.pdf", ContentFile(pdf), save=False)


@dataclasses.dataclass
class _Plan:
    decision: CertificationDecision
    acceptance: CertificateTermsAcceptance
    valid_from: dt.date
    expires_on: dt.date
    scope: tuple[ScopeLine, ...]
    scope_ids: list[int]


def _plan(
    decision: CertificationDecision,
    *,
    acceptances: dict[tuple[int, int], CertificateTermsAcceptance],
    issued: set[int],
    valid_from: dt.date | None,
    today: dt.date,
) -> _Plan:
    if decision.outcome != DecisionOutcome.GRANT:
        raise CertificationError(
            "decision_not_positive",
            _("Decision %(reference)s did not grant certification: no certificate can follow it.")
            % {"reference": decision.reference},
        )
    if decision.pk in issued:
        raise CertificationError(
            "already_issued",
            _("A certificate was already issued on decision %(reference)s.")
            % {"reference": decision.reference},
        )
    version = decision.scheme_version
    if not version.certificate_terms.strip():
        raise CertificationError(
            "terms_missing",
            _("Scheme version %(version)s has no rules on the use of certificates and marks.")
            % {"version": version.label},
        )
    acceptance = acceptances.get((decision.person_id, version.pk))
    if acceptance is None:
        raise CertificationError(
            "terms_not_accepted",
            _(
                "%(person)s has not accepted the rules on the use of certificates and marks of "
                "%(version)s."
            )
            % {"person": decision.person.full_name, "version": version.label},
        )
    effective = valid_from or max(today, timezone.localdate(decision.decided_at))
    if effective < timezone.localdate(decision.decided_at):
        raise CertificationInputError(
            "effective_before_decision",
            _("A certificate cannot take effect before the decision that grants it (R2)."),
        )
    if not version.validity_months:
        raise CertificationError(
            "missing_contents",
            _("Scheme version %(version)s has no validity period.") % {"version": version.label},
            missing=["validity_period"],
        )
    items = list(decision.scope_items.all())
    return _Plan(
        decision=decision,
        acceptance=acceptance,
        valid_from=effective,
        expires_on=expiry_date(effective, version.validity_months),
        scope=scope_lines(items),
        scope_ids=[item.pk for item in items],
    )


def _check_contents(content: CertificateContent) -> None:
    gaps = pdf_content_gaps(content)
    if gaps:
        raise CertificationError(
            "missing_contents",
            _("The certificate would lack required contents (R5): %(gaps)s.")
            % {"gaps": ", ".join(gaps)},
            missing=gaps,
        )
    if not is_printable(content.holder_name):
        raise CertificationError(
            "name_not_printable",
            _("The holder's name has characters no installed font can print."),
        )


def _terms_acceptances(
    decisions: Sequence[CertificationDecision],
) -> dict[tuple[int, int], CertificateTermsAcceptance]:
    wanted: dict[tuple[int, int], str] = {}
    for decision in decisions:
        wanted[(decision.person_id, decision.scheme_version_id)] = current_terms(
            decision.scheme_version
        )[1]
    found: dict[tuple[int, int], CertificateTermsAcceptance] = {}
    acceptances = CertificateTermsAcceptance.objects.filter(
        person_id__in={person for person, _version in wanted},
        scheme_version_id__in={version for _person, version in wanted},
    ).order_by("accepted_at")
    for acceptance in acceptances:
        key = (acceptance.person_id, acceptance.scheme_version_id)
        if wanted.get(key) == acceptance.terms_sha256:
            found[key] = acceptance
    return found


@transaction.atomic(durable=True)
def issue_certificate(
    *, decision: CertificationDecision, actor: User, valid_from: dt.date | None = None
) -> Certificate:
    """Issue the certificate a positive decision calls for (R2, R5, R6)."""
    return _issue(decisions=[decision], actor=actor, valid_from=valid_from)[0]


@transaction.atomic(durable=True)
def issue_certificates(
    *,
    decisions: Sequence[CertificationDecision],
    actor: User,
    valid_from: dt.date | None = None,
) -> list[Certificate]:
    """Issue the certificates of many positive decisions at once, all or nothing."""
    if not decisions:
        raise CertificationInputError("nothing_to_issue", _("Choose at least one decision."))
    return _issue(decisions=decisions, actor=actor, valid_from=valid_from)


def _issue(
    *,
    decisions: Sequence[CertificationDecision],
    actor: User,
    valid_from: dt.date | None,
) -> list[Certificate]:
    now = timezone.now()
    today = timezone.localdate(now)
    locked = list(
        CertificationDecision.objects.select_for_update(of=("self",))
        .select_related("person", "person__user", "scheme_version__scheme", "application")
        .prefetch_related("scope_items")
        .filter(pk__in=[decision.pk for decision in decisions])
        .order_by("pk")
    )
    if len(locked) != len({decision.pk for decision in decisions}):
        raise CertificationInputError("unknown_decision", _("A decision could not be found."))
    for scheme_id in sorted({decision.scheme_version.scheme_id for decision in locked}):
        require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=scheme_id)
    acceptances = _terms_acceptances(locked)
    issued = set(
        Certificate.objects.filter(decision_id__in=[d.pk for d in locked]).values_list(
            "decision_id", flat=True
        )
    )
    plans = [
        _plan(decision, acceptances=acceptances, issued=issued, valid_from=valid_from, today=today)
        for decision in locked
    ]

    private_key, kid = _active_signing_key(now)
    by_scheme: dict[int, list[_Plan]] = {}
    for plan in plans:
        by_scheme.setdefault(plan.decision.scheme_version.scheme_id, []).append(plan)
    drawn: dict[int, str] = {}
    for scheme_plans in by_scheme.values():
        scheme = scheme_plans[0].decision.scheme_version.scheme
        for plan, number in zip(scheme_plans, draw_numbers(scheme, len(scheme_plans)), strict=True):
            drawn[plan.decision.pk] = number

    sealed: list[Sealed] = []
    for plan in plans:
        content = build_content(
            holder=plan.decision.person,
            scheme_version=plan.decision.scheme_version,
            scope=plan.scope,
            number=drawn[plan.decision.pk],
            revision=1,
            issued_on=today,
            valid_from=plan.valid_from,
            expires_on=plan.expires_on,
        )
        _check_contents(content)
        sealed.append(seal_content(content, private_key=private_key, kid=kid))
    # The PDFs render on the worker pool while the records are written (rendering.render_iter).
    pdfs = render_iter([item.job for item in sealed])

    certificates = [
        Certificate(
            number=item.content.number,
            number_key=numbers.number_key(item.content.number),
            holder=plan.decision.person,
            holder_name=item.content.holder_name,
            scheme_id=plan.decision.scheme_version.scheme_id,
            scheme_version=plan.decision.scheme_version,
            decision=plan.decision,
            scope=[line.as_dict() for line in plan.scope],
            issued_on=today,
            valid_from=plan.valid_from,
            expires_on=plan.expires_on,
            status=CertificateStatus.VALID,
            status_since=plan.valid_from,
            revision=1,
            content_digest=item.digest,
            register_listed=bool(
                plan.decision.application is not None and plan.decision.application.register_consent
            ),
            sort_name=register_sort_name(
                plan.decision.person.given_names, plan.decision.person.family_name
            ),
            terms_acceptance=plan.acceptance,
        )
        for plan, item in zip(plans, sealed, strict=True)
    ]
    created: list[Certificate] = bulk_create_with_history(
        certificates, Certificate, batch_size=500, default_user=actor, default_date=now
    )
    certificates = created
    through = Certificate.scope_items.through
    through.objects.bulk_create(
        [
            through(certificate_id=certificate.pk, scopeitem_id=scope_id)
            for certificate, plan in zip(certificates, plans, strict=True)
            for scope_id in plan.scope_ids
        ],
        batch_size=1000,
    )
    CertificateStatusChange.objects.bulk_create(
        [
            CertificateStatusChange(
                certificate=certificate,
                from_status="",
                to_status=CertificateStatus.VALID,
                effective_on=certificate.valid_from,
                recorded_at=now,
                actor=actor,
                reason=_("Issued on decision %(reference)s")
                % {"reference": plan.decision.reference},
            )
            for certificate, plan in zip(certificates, plans, strict=True)
        ],
        batch_size=1000,
    )
    for certificate in certificates:
        notify_holder(
            certificate,
            template="certification_certificate_issued",
            context={"number": certificate.number, "expires_on": certificate.expires_on},
        )
    versions = []
    for certificate, item, pdf in zip(certificates, sealed, pdfs, strict=True):
        version = CertificateVersion(
            certificate=certificate,
            revision=1,
            reason=ReissueReason.ISSUE,
            content=item.job.snapshot,
            content_digest=item.digest,
            key_id=item.kid,
            seal=item.token,
            issued_at=now,
            issued_by=actor,
        )
        store_pdf(version, pdf)
        versions.append(version)
    CertificateVersion.objects.bulk_create(versions, batch_size=500)
    if len(certificates) == 1:
        certificate, plan, version = certificates[0], plans[0], versions[0]
        record_event(
            CertificationEvent.CERTIFICATE_ISSUED,
            actor=actor,
            actor_role=RoleCode.CERTIFICATION_OFFICER,
            subject=certificate,
            related=[plan.decision, plan.decision.person, version, plan.acceptance],
            data=_issue_facts(certificate, plan, version),
            occurred_at=now,
        )
    else:
        # A batch is one act of one officer: one event records it, linked to every certificate,
        # decision and revision (so each certificate's history shows it), with each
        # certificate's facts in its payload. One lock on the chain head, not one per certificate.
        record_event(
            CertificationEvent.CERTIFICATES_ISSUED,
            actor=actor,
            actor_role=RoleCode.CERTIFICATION_OFFICER,
            subject=None,
            related=[
                record
                for certificate, plan, version in zip(certificates, plans, versions, strict=True)
                for record in (certificate, plan.decision, version)
            ],
            data={
                "count": len(certificates),
                "certificates": [
                    _issue_facts(certificate, plan, version)
                    for certificate, plan, version in zip(
                        certificates, plans, versions, strict=True
                    )
                ],
            },
            occurred_at=now,
        )
    return certificates


def _issue_facts(
    certificate: Certificate, plan: _Plan, version: CertificateVersion
) -> dict[str, Any]:
    return {
        "number": certificate.number,
        "decision": plan.decision.reference,
        "scheme_version": plan.decision.scheme_version_id,
        "scope": [line.code for line in plan.scope],
        "valid_from": certificate.valid_from,
        "expires_on": certificate.expires_on,
        "content_digest": version.content_digest,
        "pdf_sha256": version.pdf_sha256,
        "key_id": version.key_id,
    }


def notify_holder(certificate: Certificate, *, template: str, context: dict[str, Any]) -> None:
    holder = certificate.holder
    user = holder.user
    email = holder.email or (user.email if user is not None else "")
    if not email:
        return
    queue_notification(
        template=template,
        recipient_email=email,
        recipient_person=holder,
        recipient_user=user,
        subject=certificate,
        context={
            "holder_name": certificate.holder_name,
            "scheme_name": certificate.scheme_version.scheme.name,
            "verification_url": verification_url(certificate.number),
            "portal_url": f"{settings.PERITUS['BASE_URL'].rstrip('/')}/portal/certificates/",
            **context,
        },
    )
