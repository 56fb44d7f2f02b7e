"""Who may see and do what with decisions and certificates (checked at the interface).

The services re-check what must hold whoever calls: the decision maker's role and independence
(R1) in `decide_certification`, the officer's role in issuing. A holder sees only their own
certificates; the evidence chain holds restricted data (accommodations), so only the people who
decide, issue, oversee or assess see it.
"""

from __future__ import annotations

from typing import Any

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.core.predicates import add_perm, is_superuser, predicate

is_officer = role_predicate(RoleCode.CERTIFICATION_OFFICER)
is_decision_maker = role_predicate(RoleCode.DECISION_MAKER)
is_scheme_manager = role_predicate(RoleCode.SCHEME_MANAGER)
is_certification_staff = role_predicate(
    RoleCode.CERTIFICATION_OFFICER,
    RoleCode.DECISION_MAKER,
    RoleCode.ELIGIBILITY_REVIEWER,
    RoleCode.APPEALS_PANEL,
    RoleCode.COMPLAINTS_HANDLER,
    RoleCode.QUALITY_MANAGER,
    RoleCode.ASSESSOR,
)
may_see_evidence = role_predicate(
    RoleCode.CERTIFICATION_OFFICER,
    RoleCode.DECISION_MAKER,
    RoleCode.QUALITY_MANAGER,
    RoleCode.ASSESSOR,
    RoleCode.APPEALS_PANEL,
)


@predicate
def is_holder(user: Any, certificate: Any) -> bool:
    if certificate is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(certificate.holder.user_id == user.pk)


@predicate
def is_decision_subject(user: Any, decision: Any) -> bool:
    if decision is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(decision.person.user_id == user.pk)


add_perm("certification.view_certificate", is_holder | is_certification_staff | is_superuser)
add_perm("certification.list_certificates", is_certification_staff | is_superuser)
add_perm("certification.reissue_certificate", is_officer)
add_perm("certification.view_decision", is_decision_subject | is_certification_staff)
add_perm("certification.list_decisions", is_officer | is_decision_maker)
add_perm("certification.decide", is_decision_maker)
add_perm("certification.issue_certificate", is_officer)
add_perm("certification.record_terms_acceptance", is_officer)
add_perm("certification.accept_terms", is_decision_subject)
add_perm("certification.view_evidence_chain", may_see_evidence)
# Lifecycle after issue (9.5): the services re-check the role, independence and status.
add_perm("certification.decide_lifecycle", is_decision_maker)
add_perm("certification.surrender_certificate", is_holder)
add_perm("certification.list_bulk_operations", is_decision_maker | is_officer | is_scheme_manager)
add_perm("certification.prepare_bulk_operation", is_decision_maker | is_officer)
add_perm("certification.view_bulk_operation", is_decision_maker | is_officer | is_scheme_manager)
add_perm("certification.migrate_holders", is_scheme_manager)
