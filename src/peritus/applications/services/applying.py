"""The applicant's part: start, fill in, sign, consent, submit, withdraw (clause 9.1)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.models import Person, User
from peritus.applications.errors import (
    ApplicationError,
    ApplicationInputError,
    ApplicationNotPermittedError,
)
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import OPEN_STATUSES, Application, ApplicationStatus
from peritus.applications.selectors import list_applicable_prerequisites
from peritus.applications.services.common import (
    lock_application,
    notify_person,
    refuse_status,
    require_applicant,
    text_sha256,
)
from peritus.audit_trail.services import record_event
from peritus.schemes.models import Scheme, SchemeVersionStatus, ScopeItem
from peritus.schemes.selectors import get_current_version

# The answers the attestation covers: changing one voids the signature.
ATTESTED_FIELDS = (
    "employer",
    "education_summary",
    "experience_summary",
    "training_summary",
    "assessment_language",
)


@transaction.atomic(durable=True)
def create_application(*, actor: User, person: Person, scheme: Scheme) -> Application:
    """Start a draft application to the scheme's current version."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.user_id != actor.pk:
        raise ApplicationNotPermittedError(
            "not_the_applicant", _("Only the person themselves can apply.")
        )
    version = get_current_version(scheme)
    if version is None:
        raise ApplicationError(
            "no_current_version", _("This scheme takes no applications at the moment.")
        )
    if Application.objects.filter(person=person, scheme=scheme, status__in=OPEN_STATUSES).exists():
        raise ApplicationError(
            "application_open",
            _("You already have an open application for this scheme: continue that one."),
        )
    application = Application.objects.create(
        person=person,
        scheme=scheme,
        scheme_version=version,
        created_by=actor,
        assessment_language=person.preferred_language,
    )
    record_event(
        ApplicationsEvent.APPLICATION_CREATED, actor=actor, subject=application,
        related=[person, version], data={"scheme_version": version.label},
    )  # fmt: skip
    return application


@transaction.atomic(durable=True)
def update_application(
    *,
    actor: User,
    application: Application,
    values: Mapping[str, Any],
    requested_scope: Iterable[ScopeItem] | None = None,
) -> Application:
    """Change the answers of a draft; a change to what was attested voids the signature."""
    application = lock_application(application)
    require_applicant(actor, application)
    if application.status != ApplicationStatus.DRAFT:
        raise refuse_status(application, _("changed"))
    unknown = set(values) - set(ATTESTED_FIELDS)
    if unknown:
        raise ApplicationInputError(
            "unknown_field",
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
        )
    changed = []
    for field, given in values.items():
        value = given.strip() if isinstance(given, str) else given
        if getattr(application, field) != value:
            setattr(application, field, value)
            changed.append(field)
    if requested_scope is not None:
        items = list(requested_scope)
        if any(item.scheme_version_id != application.scheme_version_id for item in items):
            raise ApplicationInputError(
                "scope_not_in_version", _("Choose scope items of the scheme you apply to.")
            )
        current = set(application.requested_scope.values_list("pk", flat=True))
        if current != {item.pk for item in items}:
            application.requested_scope.set(items)
            changed.append("requested_scope")
    if not changed:
        return application
    update_fields = [field for field in changed if field != "requested_scope"]
    voided = application.attestation_signed
    if voided:
        _clear_attestation(application)
        update_fields += [
            "attestation_version", "attestation_sha256", "attestation_signed_name",
            "attestation_signed_at",
        ]  # fmt: skip
    application.save(update_fields=[*update_fields, "updated_at"])
    record_event(
        ApplicationsEvent.APPLICATION_UPDATED, actor=actor, subject=application,
        data={"fields": sorted(changed)},
    )  # fmt: skip
    if voided:
        record_event(
            ApplicationsEvent.ATTESTATION_VOIDED, actor=actor, subject=application,
            data={"fields": sorted(changed)},
        )  # fmt: skip
    return application


def _clear_attestation(application: Application) -> None:
    application.attestation_version = ""
    application.attestation_sha256 = ""
    application.attestation_signed_name = ""
    application.attestation_signed_at = None


def _normalised_name(name: str) -> str:
    return " ".join(name.casefold().split())


@transaction.atomic(durable=True)
def sign_attestation(*, actor: User, application: Application, signed_name: str) -> Application:
    """The applicant signs the attestation by typing their full name; the exact text is hashed."""
    application = lock_application(application)
    require_applicant(actor, application)
    if application.status != ApplicationStatus.DRAFT:
        raise refuse_status(application, _("signed"))
    if not signed_name.strip():
        raise ApplicationInputError("required", _("Type your full name to sign."))
    if _normalised_name(signed_name) != _normalised_name(application.person.full_name):
        raise ApplicationInputError(
            "name_mismatch",
            _("Type your full name exactly as the body holds it: %(name)s.")
            % {"name": application.person.full_name},
        )
    version = application.scheme_version
    application.attestation_version = version.label
    application.attestation_sha256 = text_sha256(version.attestation_text)
    application.attestation_signed_name = " ".join(signed_name.split())
    application.attestation_signed_at = timezone.now()
    application.save(
        update_fields=[
            "attestation_version", "attestation_sha256", "attestation_signed_name",
            "attestation_signed_at", "updated_at",
        ]
    )  # fmt: skip
    record_event(
        ApplicationsEvent.ATTESTATION_SIGNED, actor=actor, subject=application,
        data={"text_version": application.attestation_version,
              "text_sha256": application.attestation_sha256},
    )  # fmt: skip
    return application


@transaction.atomic(durable=True)
def accept_code_of_conduct(*, actor: User, application: Application) -> Application:
    """The applicant accepts the scheme version's code of conduct; the exact text is hashed."""
    application = lock_application(application)
    require_applicant(actor, application)
    if application.status != ApplicationStatus.DRAFT:
        raise refuse_status(application, _("changed"))
    version = application.scheme_version
    application.code_of_conduct_version = version.label
    application.code_of_conduct_sha256 = text_sha256(version.code_of_conduct)
    application.code_of_conduct_accepted_at = timezone.now()
    application.save(
        update_fields=[
            "code_of_conduct_version", "code_of_conduct_sha256", "code_of_conduct_accepted_at",
            "updated_at",
        ]
    )  # fmt: skip
    record_event(
        ApplicationsEvent.CODE_OF_CONDUCT_ACCEPTED, actor=actor, subject=application,
        data={"text_version": application.code_of_conduct_version,
              "text_sha256": application.code_of_conduct_sha256},
    )  # fmt: skip
    return application


@transaction.atomic(durable=True)
def record_register_consent(*, actor: User, application: Application, consent: bool) -> Application:
    """Consent (or not) to appear in the public register; it can be changed at any time."""
    application = lock_application(application)
    require_applicant(actor, application)
    if application.status == ApplicationStatus.WITHDRAWN:
        raise refuse_status(application, _("changed"))
    application.register_consent = consent
    application.register_consent_at = timezone.now()
    application.save(update_fields=["register_consent", "register_consent_at", "updated_at"])
    record_event(
        ApplicationsEvent.REGISTER_CONSENT_RECORDED, actor=actor, subject=application,
        data={"consent": consent},
    )  # fmt: skip
    return application


def list_missing_for_submission(application: Application) -> list[tuple[str, str]]:
    """What the applicant must still do before submitting: (code, sentence) pairs."""
    missing: list[tuple[str, str]] = []
    version = application.scheme_version
    if version.scope_items.exists() and not application.requested_scope.exists():
        missing.append(("scope", _("Choose the scope you apply for.")))
    if not (application.education_summary.strip() or application.experience_summary.strip()):
        missing.append(("answers", _("Describe your education and experience.")))
    evidence_by_prerequisite = set(
        application.evidence_files.filter(prerequisite__isnull=False).values_list(
            "prerequisite_id", flat=True
        )
    )
    groups_with_evidence: set[str] = set()
    needed_groups: dict[str, list[str]] = {}
    for prerequisite in list_applicable_prerequisites(application):
        if not prerequisite.evidence_required:
            continue
        if prerequisite.alternative_group:
            needed_groups.setdefault(prerequisite.alternative_group, []).append(prerequisite.code)
            if prerequisite.pk in evidence_by_prerequisite:
                groups_with_evidence.add(prerequisite.alternative_group)
        elif prerequisite.pk not in evidence_by_prerequisite:
            missing.append(
                (
                    f"evidence:{prerequisite.code}",
                    _("Upload evidence for requirement %(code)s.") % {"code": prerequisite.code},
                )
            )
    for group, codes in needed_groups.items():
        if group not in groups_with_evidence:
            missing.append(
                (
                    f"evidence:{group}",
                    _("Upload evidence for one of the requirements %(codes)s.")
                    % {"codes": ", ".join(codes)},
                )
            )
    if not application.attestation_signed:
        missing.append(("attestation", _("Sign the attestation.")))
    if not application.code_of_conduct_accepted:
        missing.append(("code_of_conduct", _("Accept the code of conduct.")))
    if application.register_consent is None:
        missing.append(("register_consent", _("Say whether you agree to appear in the register.")))
    return missing


def submission_digest(application: Application) -> str:
    """SHA-256 over what was submitted: answers, scope, signatures, consent, evidence hashes."""
    snapshot = {
        "reference": application.reference,
        "person": application.person_id,
        "scheme_version": application.scheme_version_id,
        "scope": sorted(application.requested_scope.values_list("code", flat=True)),
        "answers": {field: str(getattr(application, field)) for field in ATTESTED_FIELDS},
        "attestation": [application.attestation_sha256, str(application.attestation_signed_at)],
        "code_of_conduct": [
            application.code_of_conduct_sha256,
            str(application.code_of_conduct_accepted_at),
        ],
        "register_consent": application.register_consent,
        "evidence": sorted(application.evidence_files.values_list("sha256", flat=True)),
    }
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic(durable=True)
def submit_application(*, actor: User, application: Application) -> Application:
    """Submit a complete, signed application for eligibility review."""
    application = lock_application(application)
    require_applicant(actor, application)
    if not can_proceed(application.submit):
        raise refuse_status(application, _("submitted"))
    if application.scheme_version.status != SchemeVersionStatus.PUBLISHED:
        raise ApplicationError(
            "version_not_current",
            _("The scheme version you applied to was replaced; withdraw and apply again."),
        )
    version = application.scheme_version
    stale = application.attestation_signed and application.attestation_sha256 != text_sha256(
        version.attestation_text
    )
    missing = list_missing_for_submission(application)
    if missing or stale:
        raise ApplicationError(
            "incomplete",
            " ".join(message for _code, message in missing),
            missing=[code for code, _message in missing],
        )
    application.submit()
    application.submitted_at = timezone.now()
    application.submission_sha256 = submission_digest(application)
    application.save(update_fields=["status", "submitted_at", "submission_sha256", "updated_at"])
    record_event(
        ApplicationsEvent.SUBMITTED, actor=actor, subject=application,
        data={"submission_sha256": application.submission_sha256,
              "scope": sorted(application.requested_scope.values_list("code", flat=True))},
    )  # fmt: skip
    notify_person(application, template="applications_submitted")
    return application


@transaction.atomic(durable=True)
def withdraw_application(*, actor: User, application: Application, reason: str = "") -> Application:
    """The applicant withdraws; the record and its evidence are kept."""
    application = lock_application(application)
    require_applicant(actor, application)
    if not can_proceed(application.withdraw):
        raise refuse_status(application, _("withdrawn"))
    previous = application.status
    application.withdraw()
    application.withdrawn_at = timezone.now()
    application.withdrawal_reason = reason.strip()
    application.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
    record_event(
        ApplicationsEvent.WITHDRAWN, actor=actor, subject=application, reason=reason.strip(),
        data={"from_status": previous},
    )  # fmt: skip
    notify_person(application, template="applications_withdrawn")
    return application
