"""Use cases for accounts, roles, personnel agreements and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from peritus.accounts.errors import AccountsError, AccountsInputError, RoleNotHeldError
from peritus.accounts.events import AccountsEvent
from peritus.accounts.models import (
    AgreementAcceptance,
    AgreementVersion,
    ApiToken,
    Person,
    Role,
    RoleAssignment,
    User,
)
from peritus.accounts.roles import FORBIDDEN_COMBINATIONS, RoleCode
from peritus.accounts.selectors import (
    forget_cached_roles,
    has_role,
    holds_role_awaiting_agreement,
    is_staff_member,
)
from peritus.audit_trail.services import record_event


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


TOKEN_PREFIX = "prt_"  # noqa: S105 - a public prefix that makes leaked tokens recognisable


def require_role(
    user: Any, role: RoleCode | str, *, scheme_id: int | None = None, language: str | None = None
) -> None:
    """Raise unless `user` may act in `role` now (for the scheme and, when given, the language).

    Called first by every service that needs a role."""
    if (
        user is not None
        and getattr(user, "is_superuser", False)
        and str(role) == RoleCode.ADMINISTRATOR
    ):
        return
    if has_role(user, role, scheme_id=scheme_id, language=language):
        return
    label = RoleCode(str(role)).label
    if language is not None and has_role(user, role, scheme_id=scheme_id):
        raise RoleNotHeldError(
            "not_approved_for_language",
            _("Your approval as %(role)s does not cover assessments in %(language)s.")
            % {"role": label, "language": language_name(language)},
        )
    if holds_role_awaiting_agreement(user, role, scheme_id=scheme_id, language=language):
        raise RoleNotHeldError(
            "agreement_not_accepted",
            _("You must accept the current personnel agreement before acting as %(role)s.")
            % {"role": label},
        )
    raise RoleNotHeldError("role_not_held", _("This needs the role %(role)s.") % {"role": label})


def _ensure_person(user: User) -> Person:
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = Person.objects.create(
            user=user,
            given_names=user.given_names,
            family_name=user.family_name,
            email=user.email,
            preferred_language=user.preferred_language,
        )
        record_event(AccountsEvent.PERSON_CREATED, actor=user, subject=person)
    return person


@transaction.atomic  # allauth may already hold a transaction open during sign-up
def register_candidate(*, user: User) -> Person:
    """A new sign-up becomes a person the body can certify (allauth calls this after sign-up)."""
    record_event(AccountsEvent.USER_SIGNED_UP, actor=user, subject=user)
    return _ensure_person(user)


@transaction.atomic(durable=True)
def create_person(
    *,
    actor: User | None,
    given_names: str,
    family_name: str,
    email: str = "",
    date_of_birth: dt.date | None = None,
    external_reference: str = "",
    user: User | None = None,
) -> Person:
    """Record a person (for instance one brought in from a previous register)."""
    return _create_person(
        actor=actor, given_names=given_names, family_name=family_name, email=email,
        date_of_birth=date_of_birth, external_reference=external_reference, user=user,
    )  # fmt: skip


def _create_person(
    *,
    actor: User | None,
    given_names: str,
    family_name: str,
    email: str = "",
    date_of_birth: dt.date | None = None,
    external_reference: str = "",
    user: User | None = None,
) -> Person:
    if not given_names.strip() or not family_name.strip():
        raise AccountsInputError(
            "name_required", _("Given names and family name are both required.")
        )
    person = Person.objects.create(
        user=user,
        given_names=given_names.strip(),
        family_name=family_name.strip(),
        email=email.strip().lower(),
        date_of_birth=date_of_birth,
        external_reference=external_reference,
    )
    record_event(AccountsEvent.PERSON_CREATED, actor=actor, subject=person)
    return person


@transaction.atomic(durable=True)
def assign_role(
    *,
    actor: User | None,
    user: User,
    role: RoleCode | str,
    scheme: Any | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    reason: str = "",
    languages: Sequence[str] = (),
) -> RoleAssignment:
    """Give `user` a role (for one scheme or all, for some languages or all).

    Refuses the combinations the standard forbids."""
    if actor is not None:
        require_role(actor, RoleCode.ADMINISTRATOR)
    role_row = Role.objects.filter(code=str(role)).first()
    if role_row is None:
        raise AccountsInputError("unknown_role", _("There is no role %(role)s.") % {"role": role})
    valid_from = valid_from or timezone.localdate()
    if role_row.time_limited and valid_until is None:
        raise AccountsInputError(
            "end_date_required", _("This role is time-limited: give an end date.")
        )
    if valid_until is not None and valid_until < valid_from:
        raise AccountsInputError("end_before_start", _("The end date is before the start date."))
    known_languages = {code for code, _name in settings.LANGUAGES}
    unknown = sorted(set(languages) - known_languages)
    if unknown:
        raise AccountsInputError(
            "unknown_language", _("Unknown language: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    if languages and role_row.code != RoleCode.EXAMINER:
        raise AccountsInputError(
            "languages_for_examiners_only",
            _("Only an examiner's approval is limited to languages."),
        )
    if scheme is not None and not role_row.scheme_scoped:
        raise AccountsInputError(
            "role_not_scheme_scoped", _("This role applies to the whole body, not one scheme.")
        )
    held = set(
        RoleAssignment.objects.current().filter(user=user).values_list("role__code", flat=True)
    )
    for first, second, why in FORBIDDEN_COMBINATIONS:
        if (role_row.code == first and second in held) or (
            role_row.code == second and first in held
        ):
            raise AccountsError("incompatible_roles", why)
    if RoleCode.ASSESSOR in held or (
        role_row.code == RoleCode.ASSESSOR and held - {RoleCode.ASSESSOR.value}
    ):
        raise AccountsError(
            "incompatible_roles", _("An accreditation assessor holds no other role in the body.")
        )
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role_row,
        scheme=scheme,
        valid_from=valid_from,
        valid_until=valid_until,
        languages=sorted(set(languages)),
        granted_by=actor,
    )
    record_event(
        AccountsEvent.ROLE_ASSIGNED,
        actor=actor,
        subject=assignment,
        related=[user],
        reason=reason,
        data={"role": role_row.code, "scheme_id": getattr(scheme, "pk", None),
              "valid_from": valid_from, "valid_until": valid_until,
              "languages": sorted(set(languages))},
    )  # fmt: skip
    forget_cached_roles(user)
    return assignment


@transaction.atomic(durable=True)
def revoke_role(*, actor: User | None, assignment: RoleAssignment, reason: str) -> RoleAssignment:
    if actor is not None:
        require_role(actor, RoleCode.ADMINISTRATOR)
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.revoked_at is not None:
        raise AccountsError("already_revoked", _("This role assignment was already revoked."))
    if not reason.strip():
        raise AccountsInputError("reason_required", _("Give the reason for revoking the role."))
    assignment.revoked_at = timezone.now()
    assignment.revoked_by = actor
    assignment.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    record_event(
        AccountsEvent.ROLE_REVOKED, actor=actor, subject=assignment, related=[assignment.user], reason=reason,
        data={"role": assignment.role.code},
    )  # fmt: skip
    forget_cached_roles(assignment.user)
    return assignment


@transaction.atomic(durable=True)
def publish_agreement(
    *,
    actor: User | None,
    title: str,
    version: str,
    body: str,
    roles: list[str],
    effective_from: dt.date | None = None,
) -> AgreementVersion:
    """A new agreement version; every holder of its roles must accept it before acting again."""
    if actor is not None and not has_role(actor, RoleCode.QUALITY_MANAGER):
        require_role(actor, RoleCode.ADMINISTRATOR)
    if not body.strip():
        raise AccountsInputError("body_required", _("The agreement needs its text."))
    role_rows = list(Role.objects.filter(code__in=roles))
    if len(role_rows) != len(set(roles)) or not role_rows:
        raise AccountsInputError(
            "unknown_role", _("Name at least one role, and only roles that exist.")
        )
    if AgreementVersion.objects.filter(title=title, version=version).exists():
        raise AccountsError("version_exists", _("This agreement version already exists."))
    agreement = AgreementVersion.objects.create(
        title=title, version=version, body=body, effective_from=effective_from or timezone.localdate(),
        published_by=actor,
    )  # fmt: skip
    agreement.roles.set(role_rows)
    record_event(
        AccountsEvent.AGREEMENT_PUBLISHED, actor=actor, subject=agreement,
        data={"version": version, "roles": sorted(r.code for r in role_rows)},
    )  # fmt: skip
    return agreement


@transaction.atomic(durable=True)
def accept_agreement(
    *, actor: User, agreement: AgreementVersion, ip_address: str | None = None, user_agent: str = ""
) -> AgreementAcceptance:
    """The actor accepts an agreement version; the version, time and address are recorded."""
    acceptance = AgreementAcceptance.objects.create(
        user=actor, agreement=agreement, ip_address=ip_address or None, user_agent=user_agent[:300]
    )
    record_event(
        AccountsEvent.AGREEMENT_ACCEPTED, actor=actor, subject=acceptance, related=[agreement],
        data={"agreement_version": agreement.version, "ip_address": ip_address or ""},
    )  # fmt: skip
    forget_cached_roles(actor)
    return acceptance


def hash_token_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic(durable=True)
def create_api_token(
    *,
    actor: User,
    name: str,
    scopes: list[str],
    second_factor_used: bool,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A personal API token; returns it with its secret, which is never stored nor shown again.

    A staff member's token acts with their staff roles, so it is made only by someone who signed
    in with their second factor (or with a token so made) — never from a password-only session.
    """
    if not second_factor_used and is_staff_member(actor):
        raise RoleNotHeldError(
            "second_factor_required",
            _("Staff make API tokens signed in with their second factor, in the back office."),
        )
    valid = {choice.value for choice in ApiToken.Scope}
    if not scopes or not set(scopes) <= valid:
        raise AccountsInputError(
            "invalid_scope",
            _("Choose scopes among: %(scopes)s.") % {"scopes": ", ".join(sorted(valid))},
        )
    if not name.strip():
        raise AccountsInputError("name_required", _("Give the token a name."))
    if expires_at is not None and expires_at <= timezone.now():
        raise AccountsInputError("expiry_in_past", _("The expiry must be in the future."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name.strip(), prefix=secret[: len(TOKEN_PREFIX) + 6], secret_hash=hash_token_secret(secret),
        scopes=sorted(set(scopes)), expires_at=expires_at,
    )  # fmt: skip
    record_event(
        AccountsEvent.API_TOKEN_CREATED, actor=actor, subject=token, data={"scopes": token.scopes}
    )
    return token, secret


@transaction.atomic(durable=True)
def revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk and not has_role(actor, RoleCode.ADMINISTRATOR):
        raise RoleNotHeldError(
            "not_token_owner", _("Only the owner or an administrator can revoke a token.")
        )
    if token.revoked_at is not None:
        raise AccountsError("already_revoked", _("This token was already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    record_event(AccountsEvent.API_TOKEN_REVOKED, actor=actor, subject=token)
    return token


def authenticate_api_token(secret: str) -> User | None:
    """The active user behind a bearer token, or None. Marks the token used (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(secret_hash=hash_token_secret(secret))
        .first()
    )
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    user._peritus_token_scopes = tuple(token.scopes)  # type: ignore[attr-defined]
    return user


def require_api_scope(user: Any, scope: str) -> None:
    """An API call made with a token acts only within the token's scopes."""
    from peritus.accounts.selectors import token_scopes

    scopes = token_scopes(user)
    if scopes is not None and scope not in scopes:
        raise RoleNotHeldError(
            "token_scope", _("This API token lacks the %(scope)s scope.") % {"scope": scope}
        )
