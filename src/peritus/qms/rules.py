"""Who may see and act on the corrective action register (checked at the interface; the services
re-check roles, and R29 — the effectiveness checker implemented none of the actions)."""

from __future__ import annotations

from typing import Any

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.core.predicates import add_perm, is_superuser, predicate
from peritus.qms.selectors import implementer_ids

is_quality_manager = role_predicate(RoleCode.QUALITY_MANAGER)
is_register_reader = role_predicate(
    RoleCode.QUALITY_MANAGER,
    RoleCode.INTERNAL_AUDITOR,
    RoleCode.TOP_MANAGEMENT,
    RoleCode.ASSESSOR,
)
may_raise = role_predicate(
    RoleCode.QUALITY_MANAGER,
    RoleCode.INTERNAL_AUDITOR,
    RoleCode.TOP_MANAGEMENT,
    RoleCode.PSYCHOMETRICIAN,
)
may_check = role_predicate(
    RoleCode.QUALITY_MANAGER, RoleCode.INTERNAL_AUDITOR, RoleCode.TOP_MANAGEMENT
)


@predicate
def is_owner(user: Any, corrective_action: Any) -> bool:
    return corrective_action is not None and corrective_action.owner_id == getattr(user, "pk", None)


@predicate
def owns_a_step(user: Any, corrective_action: Any) -> bool:
    if corrective_action is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(corrective_action.steps.filter(owner_id=user.pk).exists())


@predicate
def implemented_it(user: Any, corrective_action: Any) -> bool:
    return corrective_action is not None and getattr(user, "pk", None) in implementer_ids(
        corrective_action
    )


add_perm("qms.view_register", is_register_reader | is_superuser)
add_perm("qms.view_corrective_action", is_register_reader | is_owner | owns_a_step | is_superuser)
add_perm("qms.raise_corrective_action", may_raise)
add_perm("qms.plan_corrective_action", is_quality_manager | is_owner)
add_perm("qms.complete_step", is_quality_manager | owns_a_step)
add_perm("qms.check_effectiveness", may_check & ~implemented_it)
add_perm("qms.close_corrective_action", is_quality_manager)
add_perm("qms.export_register", is_register_reader)
