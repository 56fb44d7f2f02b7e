"""Typed helpers that build complaints through the services (tests only)."""

from __future__ import annotations

from typing import Any

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.complaints.models import Complaint, ComplaintAbout, TriageCategory
from peritus.complaints.services import (
    accept_complaint,
    assign_handler,
    declare_independence,
    submit_complaint,
)


def make_handler(**fields: Any) -> User:
    return make_staff(RoleCode.COMPLAINTS_HANDLER, **fields)


def submitted(**fields: Any) -> Complaint:
    values: dict[str, Any] = {
        "name": "Jana Meyer",
        "email": "jana@complainant.example",
        "about": ComplaintAbout.BODY,
        "description": "My results letter came three weeks late and nobody answered.",
        **fields,
    }
    return submit_complaint(**values)


def accepted(manager: User, complaint: Complaint | None = None, **fields: Any) -> Complaint:
    values: dict[str, Any] = {
        "category": TriageCategory.ABOUT_BODY,
        "reasons": "About the body's service.",
        **fields,
    }
    return accept_complaint(actor=manager, complaint=complaint or submitted(), **values)


def being_handled(manager: User, handler: User, complaint: Complaint | None = None) -> Complaint:
    """Accepted, assigned to `handler`, who declared independence."""
    complaint = complaint if complaint is not None else accepted(manager)
    complaint = assign_handler(actor=manager, complaint=complaint, handler=handler)
    return declare_independence(actor=handler, complaint=complaint)
