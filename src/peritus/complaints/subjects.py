"""Who a complaint is about (used by the rules and by the services' independence checks)."""

from __future__ import annotations

from typing import Any


def is_subject_of(user: Any, complaint: Any) -> bool:
    """The member of staff complained about, or the certified person complained about."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return False
    if complaint.subject_staff_id == user_id:
        return True
    person = complaint.subject_person
    if person is not None and person.user_id == user_id:
        return True
    certificate = complaint.subject_certificate
    return certificate is not None and certificate.holder.user_id == user_id
