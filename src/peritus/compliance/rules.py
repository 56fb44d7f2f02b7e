"""Who sees the retaliation flags (R25) and who reviews them (checked at the interface; the
service re-checks the role and that the reviewer took no part in the decision)."""

from __future__ import annotations

from typing import Any

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.compliance.selectors import took_part_in_decision
from peritus.core.predicates import add_perm, is_superuser, predicate

is_quality_manager = role_predicate(RoleCode.QUALITY_MANAGER)
is_flag_reader = role_predicate(RoleCode.QUALITY_MANAGER, RoleCode.TOP_MANAGEMENT)


@predicate
def took_part(user: Any, flag: Any) -> bool:
    return flag is not None and took_part_in_decision(user, flag)


add_perm("compliance.view_retaliation_flags", is_flag_reader | is_superuser)
add_perm("compliance.review_retaliation_flag", is_quality_manager & ~took_part)
