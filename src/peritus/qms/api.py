"""Read endpoints of the corrective action register (quality manager, auditors, top management,
accreditation assessors). Changes go through the office pages, which call the services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from peritus.core.access import get_object_for
from peritus.core.pagination import BoundedLimitOffsetPagination
from peritus.qms import selectors
from peritus.qms.errors import QmsInputError
from peritus.qms.models import ActionSource, ActionStatus, CorrectiveAction
from peritus.qms.schemas import CorrectiveActionOut, CorrectiveActionSummaryOut

router = Router(tags=["quality"])


@router.get(
    "/corrective-actions",
    response=list[CorrectiveActionSummaryOut],
    summary="The corrective and preventive action register (10.2.7, 10.2.8)",
)
@paginate(BoundedLimitOffsetPagination)
def list_corrective_actions(
    request: HttpRequest, status: str = "", source: str = "", overdue: bool = False
) -> QuerySet[CorrectiveAction]:
    if not request.user.has_perm("qms.view_register"):
        raise PermissionDenied
    if status and status not in {*ActionStatus.values, "open"}:
        raise QmsInputError("unknown_status", _("This status is not known."))
    if source and source not in ActionSource.values:
        raise QmsInputError("unknown_source", _("This source of actions is not known."))
    return selectors.list_corrective_actions(
        status=status,
        source=source,
        overdue=overdue,
        on=timezone.localdate(),
    )


@router.get(
    "/corrective-actions/{reference}",
    response=CorrectiveActionOut,
    summary="One corrective action with its cause, actions and effectiveness checks",
)
def get_corrective_action(request: HttpRequest, reference: str) -> CorrectiveAction:
    return get_object_for(
        request.user,
        selectors.get_corrective_action_queryset().annotate(
            has_overdue_step=selectors.overdue_step_exists(timezone.localdate())
        ),
        view_perm="qms.view_corrective_action",
        reference=reference[:20],
    )
