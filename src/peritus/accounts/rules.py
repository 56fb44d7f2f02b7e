"""Permission predicates about people and roles (checked at the interface; services re-check)."""

from __future__ import annotations

from typing import Any

from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.core.predicates import Predicate, add_perm, is_superuser, predicate


def scheme_id_of(obj: Any) -> int | None:
    """The scheme an object belongs to, for scheme-scoped roles; None when it has none."""
    if obj is None:
        return None
    getter = getattr(obj, "get_scheme_id", None)
    if callable(getter):
        value = getter()
        return int(value) if value is not None else None
    value = getattr(obj, "scheme_id", None)
    return int(value) if value is not None else None


def role_predicate(*roles: RoleCode) -> Predicate:
    """A predicate true when the user holds one of `roles` (for the object's scheme, if it has one)."""

    def holds_role(user: Any, obj: Any = None) -> bool:
        scheme_id = scheme_id_of(obj)
        return any(has_role(user, role, scheme_id=scheme_id) for role in roles)

    return predicate(holds_role, name="has_role_" + "_or_".join(role.value for role in roles))


@predicate
def is_self(user: Any, obj: Any) -> bool:
    return obj is not None and getattr(obj, "pk", None) == getattr(user, "pk", object())


@predicate
def is_the_person(user: Any, person: Any) -> bool:
    return (
        person is not None
        and person.user_id is not None
        and person.user_id == getattr(user, "pk", None)
    )


@predicate
def owns_token(user: Any, token: Any) -> bool:
    return token is not None and token.user_id == getattr(user, "pk", None)


is_administrator = role_predicate(RoleCode.ADMINISTRATOR)
is_certification_staff = role_predicate(
    RoleCode.CERTIFICATION_OFFICER,
    RoleCode.ELIGIBILITY_REVIEWER,
    RoleCode.DECISION_MAKER,
    RoleCode.ASSESSOR,
    RoleCode.APPEALS_PANEL,
    RoleCode.COMPLAINTS_HANDLER,
    RoleCode.QUALITY_MANAGER,
)

add_perm("accounts.view_person", is_the_person | is_certification_staff)
add_perm("accounts.change_person", role_predicate(RoleCode.CERTIFICATION_OFFICER))
add_perm("accounts.manage_roles", is_administrator | is_superuser)
add_perm(
    "accounts.view_personnel",
    is_administrator | role_predicate(RoleCode.QUALITY_MANAGER, RoleCode.ASSESSOR) | is_superuser,
)
add_perm("accounts.view_api_token", owns_token | is_administrator)
