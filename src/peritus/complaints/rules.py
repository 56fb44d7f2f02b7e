"""Who may see and act on complaints (checked at the interface; the services re-check roles and
the hard rule that the handler is independent of the complaint's subject)."""

from __future__ import annotations

from typing import Any

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.complaints.subjects import is_subject_of
from peritus.core.predicates import add_perm, predicate

is_quality_manager = role_predicate(RoleCode.QUALITY_MANAGER)
is_intake_staff = role_predicate(RoleCode.QUALITY_MANAGER, RoleCode.COMPLAINTS_HANDLER)
is_register_reader = role_predicate(
    RoleCode.QUALITY_MANAGER,
    RoleCode.COMPLAINTS_HANDLER,
    RoleCode.INTERNAL_AUDITOR,
    RoleCode.TOP_MANAGEMENT,
    RoleCode.ASSESSOR,
)
# Those who need to know, on a certified person's record, that complaints are made about them.
is_record_reader = role_predicate(
    RoleCode.QUALITY_MANAGER,
    RoleCode.COMPLAINTS_HANDLER,
    RoleCode.DECISION_MAKER,
    RoleCode.CERTIFICATION_OFFICER,
)
is_decision_maker = role_predicate(RoleCode.DECISION_MAKER)


@predicate
def is_subject(user: Any, complaint: Any) -> bool:
    """The examiner or staff member complained about, or the certified person concerned."""
    if complaint is None or not getattr(user, "is_authenticated", False):
        return False
    return is_subject_of(user, complaint)


@predicate
def is_handler(user: Any, complaint: Any) -> bool:
    return (
        complaint is not None
        and complaint.handler_id is not None
        and complaint.handler_id == getattr(user, "pk", None)
    )


add_perm("complaints.view_register", is_register_reader)
add_perm("complaints.view_complaint", (is_register_reader & ~is_subject) | is_handler)
add_perm("complaints.record_complaint", is_intake_staff)
add_perm("complaints.triage_complaint", is_intake_staff & ~is_subject)
add_perm("complaints.handle_complaint", (is_handler | is_quality_manager) & ~is_subject)
add_perm("complaints.view_on_record", (is_record_reader & ~is_subject) | is_handler)
add_perm("complaints.decide_suspension", is_decision_maker)
