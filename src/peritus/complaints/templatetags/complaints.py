"""`{% load complaints %}{% complaints_on_record person %}`: the complaints about a certified
person, on their record, for the staff allowed to see them (nothing for anyone else)."""

from __future__ import annotations

from typing import Any

from django import template

from peritus.complaints.selectors import list_complaints_on_record, overdue_deadlines

register = template.Library()


@register.inclusion_tag("complaints/_on_record.html", takes_context=True)
def complaints_on_record(context: template.Context, person: Any) -> dict[str, Any]:
    request = context.get("request")
    viewer = getattr(request, "user", None) or context.get("user")
    complaints = list_complaints_on_record(person, viewer) if person is not None else []
    for complaint in complaints:
        complaint.missed = overdue_deadlines(complaint)  # type: ignore[attr-defined]
    return {"complaints": complaints, "shown": bool(complaints)}
