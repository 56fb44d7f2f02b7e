"""Read endpoints of the complaints register (quality manager, complaints handlers, auditors,
top management, accreditation assessors). Changes go through the office pages and services.
Nobody reads a complaint about themselves."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from peritus.complaints import selectors
from peritus.complaints.errors import ComplaintInputError
from peritus.complaints.models import Complaint, ComplaintAbout, ComplaintStatus
from peritus.complaints.schemas import ComplaintOut, ComplaintSummaryOut
from peritus.core.access import get_object_for
from peritus.core.pagination import BoundedLimitOffsetPagination

router = Router(tags=["complaints"])


@router.get(
    "/complaints",
    response=list[ComplaintSummaryOut],
    summary="The complaints register, newest first (9.9)",
)
@paginate(BoundedLimitOffsetPagination)
def list_complaints(
    request: HttpRequest, status: str = "", about: str = "", overdue: bool = False
) -> QuerySet[Complaint]:
    if not request.user.has_perm("complaints.view_register"):
        raise PermissionDenied
    if status and status not in {*ComplaintStatus.values, "open", "finished"}:
        raise ComplaintInputError("unknown_status", _("This status is not known."))
    if about and about not in ComplaintAbout.values:
        raise ComplaintInputError("unknown_subject", _("Choose what the complaint is about."))
    return selectors.list_complaints(
        status=status, about=about, overdue=overdue, exclude_subject=request.user,
        on=timezone.localdate(),
    )  # fmt: skip


@router.get(
    "/complaints/{reference}",
    response=ComplaintOut,
    summary="One complaint with its validation, progress reports, outcome and actions",
)
def get_complaint(request: HttpRequest, reference: str) -> Complaint:
    return get_object_for(
        request.user,
        selectors.get_complaint_queryset(),
        view_perm="complaints.view_complaint",
        reference=reference[:20],
    )
