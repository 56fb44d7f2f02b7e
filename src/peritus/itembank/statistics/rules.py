"""Who may see and do what with exam statistics and standard setting.

* Psychometricians of the scheme record responses, run analyses, close reviews and run studies;
  they see item-level statistics (keys included), so the information barrier applies (R15).
* Scheme managers, scheme committee members, quality managers and accreditation assessors read
  reviews (the 9.3.5 evidence) and studies: conclusions and figures, never items or keys.
* A judge sees only the rating page of a study they judge, with that study's items; never a
  trainer or invigilator (R15). Approving a cut score is for a psychometrician, scheme manager or
  committee member who did not run the study (segregation of duties, rechecked in the service).
* Candidates hold none of these roles and see nothing of it.
"""

from __future__ import annotations

from typing import Any

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.core.predicates import add_perm, predicate
from peritus.itembank.rules import is_behind_information_barrier, is_psychometrician, may_see_items

REVIEW_READER_ROLES = (
    RoleCode.PSYCHOMETRICIAN,
    RoleCode.SCHEME_MANAGER,
    RoleCode.SCHEME_COMMITTEE,
    RoleCode.QUALITY_MANAGER,
    RoleCode.ASSESSOR,
)
CUT_SCORE_APPROVER_ROLES = (
    RoleCode.PSYCHOMETRICIAN,
    RoleCode.SCHEME_MANAGER,
    RoleCode.SCHEME_COMMITTEE,
)
JUDGE_ROLES = (
    RoleCode.EXAMINER,
    RoleCode.ITEM_AUTHOR,
    RoleCode.ITEM_REVIEWER,
    RoleCode.PSYCHOMETRICIAN,
    RoleCode.SCHEME_MANAGER,
    RoleCode.SCHEME_COMMITTEE,
)

reads_reviews = role_predicate(*REVIEW_READER_ROLES)
may_approve_cut_scores = role_predicate(*CUT_SCORE_APPROVER_ROLES)
is_scheme_manager = role_predicate(RoleCode.SCHEME_MANAGER)


@predicate
def is_judge_of_study(user: Any, study: Any) -> bool:
    """An active judge of this study (`study` is a StandardSettingStudy)."""
    user_id = getattr(user, "pk", None)
    if study is None or user_id is None or not hasattr(study, "judges"):
        return False
    return bool(study.judges.filter(user_id=user_id, removed_at__isnull=True).exists())


@predicate
def facilitates_study(user: Any, study: Any) -> bool:
    return study is not None and getattr(study, "facilitator_id", None) == getattr(user, "pk", 0)


works_with_statistics = may_see_items & is_psychometrician

add_perm("itembank.view_form_statistics", works_with_statistics)
add_perm("itembank.record_form_responses", works_with_statistics)
add_perm("itembank.run_form_analysis", works_with_statistics)
add_perm("itembank.set_review_policy", works_with_statistics)
add_perm("itembank.open_statistics_review", works_with_statistics)
add_perm("itembank.close_statistics_review", works_with_statistics)
add_perm("itembank.view_statistics_review", reads_reviews)
add_perm("itembank.manage_standard_setting", works_with_statistics)
add_perm("itembank.view_standard_setting", reads_reviews)
add_perm("itembank.rate_in_study", is_judge_of_study & ~is_behind_information_barrier)
add_perm("itembank.decide_cut_score", may_approve_cut_scores & ~facilitates_study)
add_perm("itembank.release_form", works_with_statistics | is_scheme_manager)
