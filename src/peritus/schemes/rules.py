"""Who may do what with schemes (checked at the interface; services re-check roles)."""

from __future__ import annotations

from typing import Any

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.core.predicates import Predicate, add_perm, predicate
from peritus.schemes.models import SchemeVersionStatus

is_scheme_manager = role_predicate(RoleCode.SCHEME_MANAGER)
is_scheme_committee = role_predicate(RoleCode.SCHEME_COMMITTEE)
is_administrator = role_predicate(RoleCode.ADMINISTRATOR)
# Staff whose work rests on the scheme's rules read every version, drafts included.
is_scheme_reader = role_predicate(
    RoleCode.SCHEME_MANAGER,
    RoleCode.SCHEME_COMMITTEE,
    RoleCode.CERTIFICATION_OFFICER,
    RoleCode.ELIGIBILITY_REVIEWER,
    RoleCode.EXAMINER,
    RoleCode.DECISION_MAKER,
    RoleCode.PSYCHOMETRICIAN,
    RoleCode.ITEM_AUTHOR,
    RoleCode.ITEM_REVIEWER,
    RoleCode.QUALITY_MANAGER,
    RoleCode.INTERNAL_AUDITOR,
    RoleCode.ASSESSOR,
    RoleCode.ADMINISTRATOR,
)


def _status_is(status: str) -> Predicate:
    def holds(user: Any, version: Any) -> bool:
        return version is not None and getattr(version, "status", None) == status

    return predicate(holds, name=f"version_is_{status}")


is_draft = _status_is(SchemeVersionStatus.DRAFT)
is_approved = _status_is(SchemeVersionStatus.APPROVED)
is_published = _status_is(SchemeVersionStatus.PUBLISHED)


@predicate
def is_contributor(user: Any, version: Any) -> bool:
    """Drafted or edited the version (so may not approve it)."""
    if version is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(
        version.created_by_id == user.pk or version.contributors.filter(pk=user.pk).exists()
    )


@predicate
def has_successor_or_is_published(user: Any, version: Any) -> bool:
    return version is not None and version.status in (
        SchemeVersionStatus.PUBLISHED,
        SchemeVersionStatus.RETIRED,
    )


add_perm("schemes.view_office_schemes", is_scheme_reader)
add_perm("schemes.add_scheme", is_scheme_manager | is_administrator)
add_perm("schemes.change_scheme", is_scheme_manager)
add_perm("schemes.add_scheme_version", is_scheme_manager)
add_perm("schemes.change_scheme_version", is_scheme_manager & is_draft)
add_perm("schemes.approve_scheme_version", is_scheme_committee & is_draft & ~is_contributor)
add_perm("schemes.reopen_scheme_version", (is_scheme_committee | is_scheme_manager) & is_approved)
add_perm("schemes.publish_scheme_version", is_scheme_manager & is_approved)
add_perm("schemes.retire_scheme_version", is_scheme_manager & is_published)
add_perm("schemes.copy_scheme_version", is_scheme_manager & has_successor_or_is_published)
