"""Read endpoints: assessment events (staff: those they may see; candidates: their own) and the
caller's own released results. Changes go through the office pages for now."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.pagination import paginate

from peritus.accounts.selectors import get_person_of_user, is_staff_member
from peritus.core.access import get_object_for
from peritus.core.pagination import BoundedLimitOffsetPagination
from peritus.exams import selectors
from peritus.exams.models import AssessmentEvent, ComponentResult, ResultStatus
from peritus.exams.schemas import EventOut, ResultOut

router = Router(tags=["assessments"])


def _visible_events(request: HttpRequest) -> QuerySet[AssessmentEvent]:
    user: Any = request.user
    if is_staff_member(user) and user.has_perm("exams.view_events"):
        return selectors.list_events_for(user)
    person = get_person_of_user(user)
    if person is None:  # filtering on None would match events with no candidate at all
        return AssessmentEvent.objects.none()
    return selectors.events_queryset().filter(candidates__application__person=person).distinct()


@router.get(
    "/assessment-events",
    response=list[EventOut],
    summary="Assessment events you may see: those you run, are assigned to, or are booked on",
)
@paginate(BoundedLimitOffsetPagination)
def list_events(request: HttpRequest) -> QuerySet[AssessmentEvent]:
    return _visible_events(request).order_by("-starts_at", "-pk")


@router.get("/assessment-events/{event_id}", response=EventOut, summary="One assessment event")
def get_event(request: HttpRequest, event_id: int) -> AssessmentEvent:
    visible = _visible_events(request)
    if not visible.filter(pk=event_id).exists():
        raise Http404
    return get_object_for(request.user, visible, view_perm="exams.view_event_summary", pk=event_id)


def _own_released_results(request: HttpRequest) -> QuerySet[ComponentResult]:
    person = get_person_of_user(request.user)
    if person is None:
        return ComponentResult.objects.none()
    return selectors.list_released_results_of_person(person).select_related(
        "component", "application__scheme", "event"
    )


@router.get(
    "/assessment-results",
    response=list[ResultOut],
    summary="Your own results, once a certification officer released them",
)
@paginate(BoundedLimitOffsetPagination)
def list_results(request: HttpRequest) -> QuerySet[ComponentResult]:
    return _own_released_results(request)


@router.get(
    "/assessment-results/{result_id}", response=ResultOut, summary="One of your released results"
)
def get_result(request: HttpRequest, result_id: int) -> ComponentResult:
    return get_object_for(
        request.user,
        _own_released_results(request).filter(status=ResultStatus.RELEASED),
        view_perm="exams.view_own_result",
        pk=result_id,
    )
