"""Reads about people, their roles and agreements."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from peritus.accounts.models import (
    AgreementAcceptance,
    AgreementVersion,
    Person,
    Role,
    RoleAssignment,
    User,
)
from peritus.accounts.roles import RoleCode
from peritus.core.conf import peritus_setting

_CACHE_ATTRIBUTE = "_peritus_role_grants"


@dataclasses.dataclass(frozen=True)
class RoleGrant:
    """One role a user holds right now, for one scheme or (scheme_id None) for all."""

    role: str
    scheme_id: int | None
    active: bool  # False while the personnel agreement for the role is not accepted
    agreement_id: int | None
    scheme_name: str = ""
    languages: tuple[str, ...] = ()  # empty: every language

    def covers(self, role: str, *, scheme_id: int | None, language: str | None) -> bool:
        """This grant is for `role`, and for the scheme and language asked (None: any)."""
        return (
            self.role == role
            and (self.scheme_id is None or scheme_id is None or self.scheme_id == scheme_id)
            and (not self.languages or language is None or language in self.languages)
        )


def current_agreement_for(
    role: Role | str, *, on: dt.date | None = None
) -> AgreementVersion | None:
    """The agreement version a holder of `role` must have accepted today."""
    on = on or timezone.localdate()
    code = role.code if isinstance(role, Role) else role
    return (
        AgreementVersion.objects.filter(roles__code=code, effective_from__lte=on)
        .order_by("-effective_from", "-pk")
        .first()
    )


def _current_agreements(on: dt.date) -> dict[str, int]:
    by_role: dict[str, int] = {}
    versions = (
        AgreementVersion.objects.filter(effective_from__lte=on)
        .prefetch_related("roles")
        .order_by("-effective_from", "-pk")
    )
    for version in versions:
        for role in version.roles.all():
            by_role.setdefault(role.code, version.pk)
    return by_role


def role_grants(user: Any, *, on: dt.date | None = None) -> list[RoleGrant]:
    """Every current role assignment of `user`, each marked active or waiting for an agreement.

    Cached on the user object for the length of a request; services that change roles clear it.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None and on is None:
        return list(cached)
    day = on or timezone.localdate()
    assignments = list(
        RoleAssignment.objects.current(day).filter(user=user).select_related("role", "scheme")
    )
    grants: list[RoleGrant] = []
    if assignments:
        agreements = _current_agreements(day)
        validity = dt.timedelta(days=int(peritus_setting("AGREEMENT_VALIDITY_DAYS")))
        accepted = set(
            AgreementAcceptance.objects.filter(
                user=user, accepted_at__gte=timezone.now() - validity
            ).values_list("agreement_id", flat=True)
        )
        for assignment in assignments:
            agreement_id = agreements.get(assignment.role.code)
            active = not assignment.role.needs_agreement or (
                agreement_id is not None and agreement_id in accepted
            )
            grants.append(
                RoleGrant(
                    assignment.role.code,
                    assignment.scheme_id,
                    active,
                    agreement_id,
                    languages=tuple(assignment.languages or ()),
                )
            )
    if on is None:
        setattr(user, _CACHE_ATTRIBUTE, tuple(grants))
    return grants


def forget_cached_roles(user: Any) -> None:
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def has_role(
    user: Any, role: RoleCode | str, *, scheme_id: int | None = None, language: str | None = None
) -> bool:
    """True if `user` may act in `role` now (for `scheme_id`, when the role is limited to schemes,
    and in `language`, when the approval is limited to languages — examiners, R14)."""
    code = str(role)
    return any(
        grant.active and grant.covers(code, scheme_id=scheme_id, language=language)
        for grant in role_grants(user)
    )


def holds_role_awaiting_agreement(
    user: Any, role: RoleCode | str, *, scheme_id: int | None = None, language: str | None = None
) -> bool:
    code = str(role)
    return any(
        not grant.active and grant.covers(code, scheme_id=scheme_id, language=language)
        for grant in role_grants(user)
    )


def is_staff_member(user: Any) -> bool:
    """Anyone holding a staff role (active or waiting for an agreement), or a superuser."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or role_grants(user))


def agreements_awaiting(user: Any) -> list[AgreementVersion]:
    """Agreement versions `user` must accept before some of their roles become active."""
    ids = {
        grant.agreement_id for grant in role_grants(user) if not grant.active and grant.agreement_id
    }
    return list(AgreementVersion.objects.filter(pk__in=ids).prefetch_related("roles"))


def list_users_with_role(role: RoleCode | str, *, scheme_id: int | None = None) -> QuerySet[User]:
    assignments = RoleAssignment.objects.current().filter(role__code=str(role))
    if scheme_id is not None:
        assignments = assignments.filter(Q(scheme_id=scheme_id) | Q(scheme__isnull=True))
    return User.objects.filter(pk__in=assignments.values("user_id"), is_active=True)


def list_personnel_active_without_agreement(*, on: dt.date | None = None) -> list[tuple[User, str]]:
    """Clause 6.1 evidence: people holding a role whose agreement is not accepted (should be empty)."""
    day = on or timezone.localdate()
    users = User.objects.filter(pk__in=RoleAssignment.objects.current(day).values("user_id"))
    missing: list[tuple[User, str]] = []
    for user in users:
        for grant in role_grants(user, on=day):
            if not grant.active:
                missing.append((user, grant.role))
    return missing


def get_person_of_user(user: Any) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def token_scopes(user: Any) -> tuple[str, ...] | None:
    """The scopes of the API token the request came with; None for a signed-in session."""
    return getattr(user, "_peritus_token_scopes", None)


@dataclasses.dataclass(frozen=True)
class GrantDescription:
    role: str
    role_name: str
    scheme_name: str
    active: bool


def describe_grant(grant: RoleGrant) -> GrantDescription:
    """A role grant in words for pages: the role's name and its scheme's."""
    return GrantDescription(
        grant.role, str(RoleCode(grant.role).label), grant.scheme_name, grant.active
    )
