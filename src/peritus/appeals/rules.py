"""Who may see and do what with appeals (checked at the interface).

The services re-check what must hold whoever calls: the appeals staff role, the panel
membership and the independence of everyone who validates, hears or decides an appeal (R22). A
candidate sees only their own appeals, through the portal.
"""

from __future__ import annotations

from typing import Any

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.appeals.models import AppealAction
from peritus.core.predicates import add_perm, is_superuser, predicate

is_appeals_staff = role_predicate(RoleCode.APPEALS_PANEL, RoleCode.QUALITY_MANAGER)


@predicate
def is_appellant(user: Any, appeal: Any) -> bool:
    if appeal is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(appeal.appellant.user_id == user.pk)


@predicate
def is_action_assignee(user: Any, appeal: Any) -> bool:
    """A decision maker or owner assigned an action resulting from the appeal sees its page."""
    if appeal is None or not getattr(user, "is_authenticated", False):
        return False
    return AppealAction.objects.filter(appeal=appeal, assignee=user.pk).exists()


add_perm("appeals.list_appeals", is_appeals_staff | is_superuser)
add_perm("appeals.view_appeal", is_appeals_staff | is_action_assignee | is_superuser)
add_perm("appeals.record_appeal", is_appeals_staff)
add_perm("appeals.handle_appeal", is_appeals_staff)
add_perm("appeals.view_own_appeal", is_appellant)
