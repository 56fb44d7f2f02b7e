"""Who may see and do what with submissions and CPD (checked at the interface).

The services re-check what must hold whoever calls: the holder for CPD and submissions, the
reviewer's role and independence, the decision maker's role and independence (R1).
"""

from __future__ import annotations

from typing import Any

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.core.predicates import add_perm, is_superuser, predicate

is_reviewer = role_predicate(RoleCode.ELIGIBILITY_REVIEWER, RoleCode.CERTIFICATION_OFFICER)
is_decision_maker = role_predicate(RoleCode.DECISION_MAKER)
is_overseer = role_predicate(RoleCode.QUALITY_MANAGER, RoleCode.ASSESSOR)
is_recertification_staff = is_reviewer | is_decision_maker | is_overseer


@predicate
def is_submission_holder(user: Any, submission: Any) -> bool:
    if submission is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(submission.certificate.holder.user_id == user.pk)


@predicate
def is_activity_holder(user: Any, activity: Any) -> bool:
    if activity is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(activity.certificate.holder.user_id == user.pk)


add_perm("recertification.list_submissions", is_recertification_staff | is_superuser)
add_perm(
    "recertification.view_submission",
    is_submission_holder | is_recertification_staff | is_superuser,
)
add_perm("recertification.view_cpd_evidence", is_activity_holder | is_recertification_staff)
add_perm("recertification.review_submission", is_reviewer)
add_perm("recertification.decide_recertification", is_decision_maker)

is_scheme_manager = role_predicate(RoleCode.SCHEME_MANAGER)
add_perm("recertification.set_policy", is_scheme_manager)
