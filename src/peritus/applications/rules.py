"""Who may see and do what with applications (checked at the interface; services re-check).

A candidate sees only their own applications. Accommodation requests and their documents may hold
health data: only the person and the eligibility reviewers of the scheme see them (clause 7.3).
"""

from __future__ import annotations

from typing import Any

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.applications.models import (
    WITHDRAWABLE_STATUSES,
    AccommodationStatus,
    ApplicationStatus,
)
from peritus.core.predicates import Predicate, add_perm, predicate

REQUEST_ACCOMMODATION_STATUSES = (*WITHDRAWABLE_STATUSES,)

is_eligibility_reviewer = role_predicate(RoleCode.ELIGIBILITY_REVIEWER)
# Staff who work on or oversee the application file (decisions, appeals, audits).
is_application_staff = role_predicate(
    RoleCode.CERTIFICATION_OFFICER,
    RoleCode.ELIGIBILITY_REVIEWER,
    RoleCode.DECISION_MAKER,
    RoleCode.APPEALS_PANEL,
    RoleCode.COMPLAINTS_HANDLER,
    RoleCode.QUALITY_MANAGER,
    RoleCode.ASSESSOR,
)


@predicate
def is_applicant(user: Any, application: Any) -> bool:
    if application is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(application.person.user_id == user.pk)


def _status_in(*statuses: str) -> Predicate:
    def holds(user: Any, application: Any) -> bool:
        return application is not None and application.status in statuses

    return predicate(holds, name="application_status_in_" + "_".join(statuses))


is_draft = _status_in(ApplicationStatus.DRAFT)
is_submitted = _status_in(ApplicationStatus.SUBMITTED)
is_in_review = _status_in(ApplicationStatus.IN_REVIEW)
awaits_answer = _status_in(ApplicationStatus.MORE_INFORMATION_REQUESTED)
may_receive_files = _status_in(
    ApplicationStatus.DRAFT, ApplicationStatus.MORE_INFORMATION_REQUESTED
)
is_withdrawable = _status_in(*WITHDRAWABLE_STATUSES)
may_request_accommodation = _status_in(*REQUEST_ACCOMMODATION_STATUSES)
is_open_for_consent = _status_in(
    *(s for s in ApplicationStatus.values if s != ApplicationStatus.WITHDRAWN)
)


@predicate
def is_assigned_reviewer(user: Any, application: Any) -> bool:
    return application is not None and application.assigned_reviewer_id == getattr(user, "pk", None)


# A draft is the applicant's alone until it is submitted.
add_perm("applications.view_application", is_applicant | (is_application_staff & ~is_draft))
add_perm("applications.view_application_queue", is_application_staff)
add_perm("applications.change_application", is_applicant & is_draft)
add_perm("applications.add_evidence", is_applicant & may_receive_files)
add_perm("applications.remove_evidence", is_applicant & is_draft)
add_perm("applications.sign_application", is_applicant & is_draft)
add_perm("applications.give_register_consent", is_applicant & is_open_for_consent)
add_perm("applications.submit_application", is_applicant & is_draft)
add_perm("applications.respond_application", is_applicant & awaits_answer)
add_perm("applications.withdraw_application", is_applicant & is_withdrawable)
add_perm("applications.request_accommodation", is_applicant & may_request_accommodation)
add_perm("applications.start_review", is_eligibility_reviewer & is_submitted & ~is_applicant)
add_perm(
    "applications.decide_eligibility",
    is_eligibility_reviewer & is_in_review & is_assigned_reviewer & ~is_applicant,
)
is_certification_officer = role_predicate(RoleCode.CERTIFICATION_OFFICER)
add_perm(
    "applications.request_information",
    (is_eligibility_reviewer & is_in_review & is_assigned_reviewer & ~is_applicant)
    | (is_certification_officer & (is_submitted | is_in_review) & ~is_applicant),
)
add_perm(
    "applications.release_review",
    is_in_review & ((is_eligibility_reviewer & is_assigned_reviewer) | is_certification_officer),
)
# Restricted data (accommodations, health): the person and the scheme's eligibility reviewers.
add_perm("applications.view_accommodations", is_applicant | (is_eligibility_reviewer & ~is_draft))


@predicate
def may_see_evidence(user: Any, evidence: Any) -> bool:
    if evidence is None:
        return False
    perm = (
        "applications.view_accommodations"
        if evidence.accommodation_id is not None
        else "applications.view_application"
    )
    return bool(user.has_perm(perm, evidence.application))


@predicate
def accommodation_is_requested(user: Any, accommodation: Any) -> bool:
    return accommodation is not None and accommodation.status == AccommodationStatus.REQUESTED


@predicate
def is_own_accommodation(user: Any, accommodation: Any) -> bool:
    return accommodation is not None and bool(
        accommodation.application.person.user_id == getattr(user, "pk", None)
    )


add_perm("applications.view_evidence", may_see_evidence)
add_perm(
    "applications.decide_accommodation",
    is_eligibility_reviewer & accommodation_is_requested & ~is_own_accommodation,
)
