"""Who may do what in the item bank (checked at the interface; services re-check roles).

Items are confidential (clauses 5.2 and 6.4 and 7.3/7.4): only item authors, item reviewers and
psychometricians of the bank's scheme see them. Invigilators never do, whatever else they hold
(R15, information barrier), and neither do administrators or other staff.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import rules
from django.db.models import Q
from django.utils import timezone

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.accounts.selectors import role_grants

ITEM_ROLES = (RoleCode.ITEM_AUTHOR, RoleCode.ITEM_REVIEWER, RoleCode.PSYCHOMETRICIAN)
BARRED_ROLES = frozenset({RoleCode.INVIGILATOR.value})


TRAINER_LOOKBACK_DAYS = 2 * 365
_CACHE = "_peritus_itembank_barrier"


def behind_information_barrier(user: Any) -> bool:
    """Invigilators and anyone who trained candidates in the last two years never see items
    (R15, clause 5.2), even if they also hold an item role. Cached on the user for the request."""
    cached = getattr(user, _CACHE, None)
    if cached is not None:
        return bool(cached)
    barred = any(grant.role in BARRED_ROLES for grant in role_grants(user))
    if not barred and getattr(user, "pk", None) is not None:
        from peritus.impartiality.models import TrainingRecord

        since = timezone.localdate() - dt.timedelta(days=TRAINER_LOOKBACK_DAYS)
        barred = (
            TrainingRecord.objects.filter(trainer_id=user.pk)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=since))
            .exists()
        )
    if getattr(user, "pk", None) is not None:
        setattr(user, _CACHE, barred)
    return barred


is_behind_information_barrier = rules.predicate(behind_information_barrier)


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


# Exam statistics and standard setting register their permissions in their own module.
from peritus.itembank.statistics import rules as statistics_rules  # noqa: E402, F401
