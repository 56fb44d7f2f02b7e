"""Who may read the audit trail: those who answer for the records and those who assess them."""

from __future__ import annotations

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.core.predicates import add_perm, is_superuser

add_perm(
    "audit_trail.view_events",
    role_predicate(
        RoleCode.QUALITY_MANAGER, RoleCode.INTERNAL_AUDITOR, RoleCode.ASSESSOR, RoleCode.ADMINISTRATOR,
        RoleCode.TOP_MANAGEMENT,
    )
    | is_superuser,
)  # fmt: skip
