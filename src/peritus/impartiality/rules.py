"""Who may see and act on the impartiality records (checked at the interface; services re-check)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import rules.permissions
import rules.predicates
from rules.predicates import Predicate

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.accounts.selectors import role_grants

# The `rules` package is not annotated; these casts give its two entry points their types.
predicate = cast(Callable[[Callable[..., bool]], Predicate], rules.predicates.predicate)
add_perm = cast(Callable[[str, Predicate], None], rules.permissions.add_perm)


def role(*roles: RoleCode) -> Predicate:
    return cast(Predicate, role_predicate(*roles))


is_quality_manager = role(RoleCode.QUALITY_MANAGER)
is_impartiality_committee = role(RoleCode.IMPARTIALITY_COMMITTEE)
is_assessor = role(RoleCode.ASSESSOR)
is_certification_officer = role(RoleCode.CERTIFICATION_OFFICER)
is_top_management = role(RoleCode.TOP_MANAGEMENT)

# The register and the trainer links are read by those who watch over impartiality.
is_impartiality_overseer = is_quality_manager | is_impartiality_committee | is_assessor
mitigation_approver = is_quality_manager | is_impartiality_committee


@predicate
def is_active_personnel(user: Any) -> bool:
    """Holds at least one role whose personnel agreement is accepted (R12)."""
    return any(grant.active for grant in role_grants(user))


@predicate
def is_declarant(user: Any, declaration: Any) -> bool:
    return declaration is not None and declaration.declarant_id == getattr(user, "pk", None)


add_perm("impartiality.declare_interests", is_active_personnel)
add_perm("impartiality.view_declaration", is_declarant | is_impartiality_overseer)
add_perm("impartiality.view_register", is_impartiality_overseer)
add_perm(
    "impartiality.propose_mitigation",
    is_declarant | is_quality_manager | is_impartiality_committee | is_certification_officer,
)
add_perm("impartiality.decide_mitigation", mitigation_approver & ~is_declarant)
add_perm("impartiality.view_training_records", is_impartiality_overseer)
add_perm("impartiality.record_training", is_quality_manager)
add_perm("impartiality.view_risk_register", is_impartiality_overseer | is_top_management)
add_perm("impartiality.change_risk", is_quality_manager)
add_perm("impartiality.review_risk", is_impartiality_committee)
