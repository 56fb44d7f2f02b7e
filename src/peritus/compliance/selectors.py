"""Reading the retaliation flags (R25) and the records they point at."""

from __future__ import annotations

from django.db.models import QuerySet

from peritus.compliance.models import FlagStatus, RetaliationFlag


def get_flag_queryset() -> QuerySet[RetaliationFlag]:
    return RetaliationFlag.objects.select_related(
        "person", "decided_by", "reviewed_by", "appeal", "complaint", "corrective_action"
    )


def list_flags(*, status: str = "") -> QuerySet[RetaliationFlag]:
    flags = get_flag_queryset()
    if status in FlagStatus.values:
        flags = flags.filter(status=status)
    return flags


def count_open_flags() -> int:
    return RetaliationFlag.objects.filter(status=FlagStatus.OPEN).count()


def took_part_in_decision(user: object, flag: RetaliationFlag) -> bool:
    """True if `user` made or recorded the adverse decision the flag is about."""
    return getattr(user, "pk", None) in {int(pk) for pk in flag.involved_user_ids}
