"""Who may do what in the item bank (checked at the interface; services re-check roles).

Items are confidential (clauses 5.2 and 6.4 and 7.3/7.4): only item authors, item reviewers and
psychometricians of the bank's scheme see them. Invigilators never do, whatever else they hold
(R15, information barrier), and neither do administrators or other staff.
"""

from __future__ import annotations

from typing import Any

import rules

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.accounts.selectors import role_grants

ITEM_ROLES = (RoleCode.ITEM_AUTHOR, RoleCode.ITEM_REVIEWER, RoleCode.PSYCHOMETRICIAN)
BARRED_ROLES = frozenset({RoleCode.INVIGILATOR.value})


def _behind_information_barrier(user: Any) -> bool:
    """Invigilators never see items (R15), even if they also hold an item role."""
    return any(grant.role in BARRED_ROLES for grant in role_grants(user))


is_behind_information_barrier = rules.predicate(_behind_information_barrier)


is_item_author = role_predicate(RoleCode.ITEM_AUTHOR)
is_item_reviewer = role_predicate(RoleCode.ITEM_REVIEWER)
is_psychometrician = role_predicate(RoleCode.PSYCHOMETRICIAN)
has_item_role = role_predicate(*ITEM_ROLES)
may_see_items = has_item_role & ~is_behind_information_barrier

rules.add_perm("itembank.view_itembank", may_see_items)
rules.add_perm("itembank.view_item", may_see_items)
rules.add_perm("itembank.add_item", may_see_items & is_item_author)
rules.add_perm("itembank.change_item", may_see_items & is_item_author)
rules.add_perm("itembank.review_item", may_see_items & is_item_reviewer)
rules.add_perm("itembank.manage_item_lifecycle", may_see_items & is_psychometrician)
rules.add_perm("itembank.import_qti", may_see_items & (is_item_author | is_psychometrician))
rules.add_perm("itembank.export_qti", may_see_items & is_psychometrician)
rules.add_perm("itembank.record_statistics", may_see_items & is_psychometrician)
rules.add_perm("itembank.manage_blueprint", may_see_items & is_psychometrician)
rules.add_perm("itembank.assemble_form", may_see_items & is_psychometrician)
rules.add_perm("itembank.approve_form", may_see_items & (is_psychometrician | is_item_reviewer))
rules.add_perm("itembank.view_form", may_see_items)
rules.add_perm("itembank.print_form", may_see_items & is_psychometrician)
